-- Postings per skill per day, by country, title family and seniority (a posting counts once
-- per day however many sources carried it).
with postings as (
    select distinct partition_date, hash_key, country, title_family, seniority, skills
    from {{ ref('int_job_sightings') }}
),

exploded as (
    select partition_date, hash_key, country, title_family, seniority, unnest(skills) as skill
    from postings
)

select
    partition_date as posting_date,
    skill,
    coalesce(country, 'unknown') as country,
    title_family,
    seniority,
    count(distinct hash_key) as postings
from exploded
group by all
