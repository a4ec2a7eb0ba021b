with source as (
    select * from {{ source('lake', 'skills') }}
),

renamed as (
    select
        skill,
        category
    from source
)

select * from renamed
