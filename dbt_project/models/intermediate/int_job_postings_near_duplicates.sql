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

normalized as (
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
        list_distinct(list_filter(
            string_split(
                trim(
                    {%- set ns = namespace(loc="regexp_replace(lower(strip_accents(concat_ws(' ', location_raw, city, region))), '[^a-z0-9]+', ' ', 'g')") %}
                    {%- for short, long in var('near_dup_location_aliases').items() %}
                    {%- set ns.loc = "regexp_replace(" ~ ns.loc ~ ", '\\b" ~ short ~ "\\b', '" ~ long ~ "', 'g')" %}
                    {%- endfor %}
                    {{ ns.loc }}
                ),
                ' '
            ),
            lambda token: token <> ''
        )) as location_tokens
    from postings
),

candidates as (
    select
        a.hash_key as hash_key_a,
        b.hash_key as hash_key_b,
        len(list_intersect(a.title_tokens, b.title_tokens))
            / greatest(len(list_distinct(list_concat(a.title_tokens, b.title_tokens))), 1)
            as title_similarity,
        len(list_intersect(a.location_tokens, b.location_tokens))
            / greatest(least(len(a.location_tokens), len(b.location_tokens)), 1)
            as location_containment,
        case
            when a.city is not null and b.city is not null
                then a.city = b.city
                    and coalesce(a.region = b.region, true)
                    and coalesce(a.country = b.country, true)
        end as same_parsed_place,
        coalesce(a.country = b.country, true) as country_compatible
    from normalized as a
    inner join normalized as b
        on a.company_name_norm = b.company_name_norm
        and a.hash_key < b.hash_key
    where (a.seniority = b.seniority or 'unknown' in (a.seniority, b.seniority))
        {%- if var('near_dup_cross_source_only') %}
        and not list_has_any(a.sources, b.sources)
        {%- endif %}
),

pairs as (
    select hash_key_a, hash_key_b
    from candidates
    where title_similarity >= {{ var('near_dup_title_threshold') }}
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
