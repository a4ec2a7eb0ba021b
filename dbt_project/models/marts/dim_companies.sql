with postings as (
    select * from {{ ref('int_job_sightings') }}
),

companies as (
    select * from {{ ref('stg_lake__companies') }}
),

from_postings as (
    select
        company_name_norm,
        mode(company_name) as company_name,
        max(company_website) as posted_website,
        count(distinct hash_key) as postings,
        min(partition_date) as first_seen_date,
        max(partition_date) as last_seen_date
    from postings
    group by company_name_norm
),

final as (
    select
        md5(from_postings.company_name_norm) as company_key,
        from_postings.company_name_norm,
        from_postings.company_name,
        coalesce(from_postings.posted_website, companies.website) as website,
        companies.industry,
        coalesce(companies.company_size_bin, 'unknown') as company_size_bin,
        companies.rating,
        companies.review_count,
        companies.headquarters,
        coalesce(companies.lookup_status, 'pending') as lookup_status,
        from_postings.postings,
        from_postings.first_seen_date,
        from_postings.last_seen_date
    from from_postings
    left join companies using (company_name_norm)
)

select * from final
