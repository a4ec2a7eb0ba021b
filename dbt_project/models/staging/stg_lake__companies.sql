with source as (
    select * from {{ source('lake', 'companies') }}
),

renamed as (
    select
        company_name_norm,
        lookup_status,
        glassdoor_company_id,
        glassdoor_name,
        website,
        industry,
        company_size,
        company_size_bin,
        rating,
        review_count,
        headquarters,
        looked_up_at
    from source
)

select * from renamed
