with source as (
    select * from {{ source('lake', 'ingest_stats') }}
),

renamed as (
    select
        cast(partition_date as date) as partition_date,
        source,
        fetched,
        normalized,
        quarantined
    from source
)

select * from renamed
