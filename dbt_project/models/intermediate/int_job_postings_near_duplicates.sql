-- Near-duplicates that exact hashing misses: the same job carried by two sources with a
-- slightly different title ("Sr. Data Engineer" / "Senior Data Engineer,") or location text
-- ("NYC" / "New York, NY"). Two postings (hash_keys) are a near-duplicate pair when:
--   * same company_name_norm (only pairs within a company are compared: stays fast);
--   * no source carries both (one source does not list the same job twice), unless
--     near_dup_cross_source_only is false;
--   * compatible seniority (equal, or one unknown);
--   * title token Jaccard >= near_dup_title_threshold, after folding case, accents and
--     punctuation and expanding abbreviations (near_dup_title_aliases: sr -> senior, ...);
--   * same place: equal city (and region, country when both known) when both parsed,
--     otherwise location token containment >= near_dup_location_threshold after expanding
--     near_dup_location_aliases (nyc -> new york, ...), with no conflicting country.
-- Candidate pairs come from a set-similarity join with prefix filtering, not from every pair
-- of a company (quadratic: thousands of postings for the largest employers): title tokens are
-- ranked by global rarity (document frequency over all titles, ties by token text), and two
-- titles with Jaccard >= t share at least one of the first len - ceil(t * len) + 1 rarest
-- tokens of each; so only those prefix tokens are joined on (company, token), and the exact
-- Jaccard and the other rules above are computed for the candidates alone. The result is the
-- same as comparing every pair (a threshold <= 0 falls back to every pair of a company).
-- Pairs are grouped into clusters (connected components): the cluster key is the smallest
-- hash_key reachable, found with a recursive CTE over the (small, per-company) pair graph.
-- One row per hash_key; postings without a near-duplicate are their own cluster of one.
with recursive postings as (
    select
        hash_key,
        company_name_norm,
        sources,
        seniority,
        title,
        location_raw,
        city,
        region,
        country,
        is_direct,
        last_seen_at
    from {{ ref('int_job_postings_deduplicated') }}
),

-- materialized: read three times (prefix tokens and both sides of every candidate pair);
-- inlined, the title and location clean-up ran three times (~11 of 27 CPU-s at 1M postings)
normalized as materialized (
    select
        *,
        list_sort(list_distinct(list_filter(
            list_transform(
                string_split(
                    trim(regexp_replace(lower(strip_accents(title)), '[^a-z0-9+#]+', ' ', 'g')),
                    ' '
                ),
                lambda token: case token
                    {%- for short, long in var('near_dup_title_aliases').items() %}
                    when '{{ short }}' then '{{ long }}'
                    {%- endfor %}
                    else token
                end
            ),
            lambda token: token <> ''
        ))) as title_tokens,
        -- token by token like the titles (one CASE), not one regexp_replace over the whole
        -- text per alias: at 1M postings the alias regexes cost more than the rest of the
        -- location clean-up
        list_distinct(list_filter(
            flatten(list_transform(
                string_split(
                    trim(regexp_replace(
                        lower(strip_accents(concat_ws(' ', location_raw, city, region))),
                        '[^a-z0-9]+', ' ', 'g'
                    )),
                    ' '
                ),
                lambda token: case token
                    {%- for short, long in var('near_dup_location_aliases').items() %}
                    when '{{ short }}' then string_split('{{ long }}', ' ')
                    {%- endfor %}
                    else [token]
                end
            )),
            lambda token: token <> ''
        )) as location_tokens
    from postings
),

{%- set title_threshold = var('near_dup_title_threshold') %}

{%- if title_threshold > 0 %}

title_token_rows as (
    select
        hash_key,
        company_name_norm,
        len(title_tokens) as token_count,
        unnest(title_tokens) as token
    from normalized
),

token_rarity as (
    select token, count(*) as document_frequency
    from title_token_rows
    group by token
),

-- The first len - ceil(t * len) + 1 rarest tokens of each title (the epsilon keeps a float
-- product such as 0.7 * 10 = 7.000000000000001 from shortening the prefix: a longer prefix
-- only adds candidates, a shorter one would lose pairs).
prefix_tokens as (
    select title_token_rows.hash_key, title_token_rows.company_name_norm, title_token_rows.token
    from title_token_rows
    inner join token_rarity using (token)
    qualify row_number() over (
        partition by title_token_rows.hash_key
        order by token_rarity.document_frequency, title_token_rows.token
    ) <= token_count - ceil({{ title_threshold }} * token_count - 1e-9) + 1
),

candidate_pairs as (
    select distinct a.hash_key as hash_key_a, b.hash_key as hash_key_b
    from prefix_tokens as a
    inner join prefix_tokens as b
        on a.company_name_norm = b.company_name_norm
        and a.token = b.token
        and a.hash_key < b.hash_key
),

{%- else %}

-- Every title pair reaches a threshold <= 0 (even with no token in common): every pair.
candidate_pairs as (
    select a.hash_key as hash_key_a, b.hash_key as hash_key_b
    from normalized as a
    inner join normalized as b
        on a.company_name_norm = b.company_name_norm
        and a.hash_key < b.hash_key
),

{%- endif %}

candidates as (
    select
        a.hash_key as hash_key_a,
        b.hash_key as hash_key_b,
        len(list_filter(a.title_tokens, lambda token: list_contains(b.title_tokens, token)))
            as shared_title_tokens,
        len(a.title_tokens) + len(b.title_tokens) as title_token_total,
        len(list_filter(
            a.location_tokens, lambda token: list_contains(b.location_tokens, token)
        ))
            / greatest(least(len(a.location_tokens), len(b.location_tokens)), 1)
            as location_containment,
        case
            when a.city is not null and b.city is not null
                then a.city = b.city
                    and coalesce(a.region = b.region, true)
                    and coalesce(a.country = b.country, true)
        end as same_parsed_place,
        coalesce(a.country = b.country, true) as country_compatible
    from candidate_pairs
    inner join normalized as a on a.hash_key = candidate_pairs.hash_key_a
    inner join normalized as b on b.hash_key = candidate_pairs.hash_key_b
    where (a.seniority = b.seniority or 'unknown' in (a.seniority, b.seniority))
        {%- if var('near_dup_cross_source_only') %}
        and not list_has_any(a.sources, b.sources)
        {%- endif %}
),

pairs as (
    select hash_key_a, hash_key_b
    from candidates
    -- Token lists are distinct: Jaccard = shared / (|a| + |b| - shared).
    where shared_title_tokens / greatest(title_token_total - shared_title_tokens, 1)
            >= {{ var('near_dup_title_threshold') }}
        and country_compatible
        and coalesce(
            same_parsed_place,
            location_containment >= {{ var('near_dup_location_threshold') }}
        )
),

edges as (
    select hash_key_a as node, hash_key_b as neighbour from pairs
    union all
    select hash_key_b as node, hash_key_a as neighbour from pairs
),

reach(node, reachable) as (
    select node, node as reachable from (select distinct node from edges)
    union
    select reach.node, edges.neighbour
    from reach
    inner join edges on edges.node = reach.reachable
),

clusters as (
    select node as hash_key, min(reachable) as near_duplicate_cluster_key
    from reach
    group by node
),

assigned as (
    select
        postings.hash_key,
        coalesce(clusters.near_duplicate_cluster_key, postings.hash_key)
            as near_duplicate_cluster_key,
        postings.is_direct,
        postings.last_seen_at
    from postings
    left join clusters using (hash_key)
),

representatives as (
    select
        near_duplicate_cluster_key,
        count(*) as near_duplicate_cluster_size,
        max_by(
            hash_key, {'direct': is_direct::int, 'seen': last_seen_at, 'hash_key': hash_key}
        ) as representative_hash_key
    from assigned
    group by near_duplicate_cluster_key
)

select
    assigned.hash_key,
    assigned.near_duplicate_cluster_key,
    representatives.near_duplicate_cluster_size,
    assigned.hash_key = representatives.representative_hash_key as is_cluster_representative
from assigned
inner join representatives using (near_duplicate_cluster_key)
