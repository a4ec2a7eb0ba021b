-- One row per unique posting (hash_key): exact duplicates across days and sources are merged.
-- Near-duplicate clusters are exposed, not collapsed: job_posting_key stays the stable hash_key
-- that rankings and the user's own store refer to, and a consumer that wants one row per real
-- job filters is_cluster_representative.
with deduplicated as (
    select * from {{ ref('int_job_postings_deduplicated') }}
),

closed as (
    select * from {{ ref('int_job_postings_closed') }}
),

near_duplicates as (
    select * from {{ ref('int_job_postings_near_duplicates') }}
),

final as (
    select
        deduplicated.hash_key as job_posting_key,
        -- the published tables' integer keys (job_assets/warehouse/keys.py), computed here once
        -- per job so every export reads them instead of parsing 1M md5 strings each time
        {{ job_sk('deduplicated.hash_key') }} as job_sk,
        md5(deduplicated.company_name_norm) as company_key,
        deduplicated.job_id,
        deduplicated.hash_key,
        deduplicated.source,
        deduplicated.sources,
        deduplicated.source_job_ids,
        deduplicated.title,
        deduplicated.title_std,
        deduplicated.title_family,
        deduplicated.seniority,
        deduplicated.company_name,
        deduplicated.company_name_norm,
        deduplicated.location_raw,
        deduplicated.city,
        deduplicated.region,
        deduplicated.country,
        deduplicated.remote_type,
        deduplicated.employment_type,
        deduplicated.salary_min,
        deduplicated.salary_max,
        deduplicated.salary_currency,
        deduplicated.salary_period,
        deduplicated.salary_min_yearly,
        deduplicated.salary_max_yearly,
        deduplicated.salary_min_norm,
        deduplicated.salary_max_norm,
        '{{ var("reporting_currency") }}' as reporting_currency,
        deduplicated.salary_source,
        deduplicated.skills,
        deduplicated.company_size_bin,
        deduplicated.apply_url,
        deduplicated.posted_at,
        deduplicated.first_seen_at,
        deduplicated.last_seen_at,
        deduplicated.first_seen_date,
        deduplicated.last_seen_date,
        deduplicated.days_seen,
        deduplicated.times_seen,
        deduplicated.remote_type = 'remote' as is_remote,
        deduplicated.salary_min_norm is not null
            or deduplicated.salary_max_norm is not null as has_salary,
        deduplicated.is_direct,
        not closed.is_closed as is_active,
        closed.closed_at,
        deduplicated.preferred_partition_date,
        near_duplicates.near_duplicate_cluster_key,
        {{ job_sk('near_duplicates.near_duplicate_cluster_key') }} as near_duplicate_cluster_sk,
        near_duplicates.near_duplicate_cluster_size,
        near_duplicates.is_cluster_representative
    from deduplicated
    inner join closed using (hash_key)
    inner join near_duplicates using (hash_key)
)

select * from final
