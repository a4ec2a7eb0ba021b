select
    partition_date as posting_date,
    source,
    company_name_norm,
    count(distinct job_id) as postings
from {{ ref('int_job_sightings') }}
group by all
