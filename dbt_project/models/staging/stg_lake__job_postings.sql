-- One row per posting per partition day, typed. Long description text stays in the lake:
-- the warehouse only carries what marts and ranking need.
with source as (
    select * from {{ source('lake', 'job_postings') }}
),

renamed as (
    select
        job_id,
        source,
        source_job_id,
        hash_key,
        title,
        title_std,
        title_family,
        seniority,
        company_name,
        company_name_norm,
        company_website,
        location_raw,
        city,
        region,
        country,
        remote_type,
        employment_type,
        salary_min,
        salary_max,
        salary_currency,
        salary_period,
        salary_min_yearly,
        salary_max_yearly,
        salary_min_norm,
        salary_max_norm,
        salary_source,
        skills,
        company_size_bin,
        apply_url,
        is_direct,
        posted_at,
        collected_at,
        cast(partition_date as date) as partition_date
    from source
)

select * from renamed
