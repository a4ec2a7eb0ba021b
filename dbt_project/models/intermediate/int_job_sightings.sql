{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{% if is_incremental() %}delete from {{ this }} where partition_date >= '{{ var('min_date') }}'::date and partition_date < '{{ var('max_date') }}'::date{% endif %}"
    )
}}

-- Every posting of every partition day in the warehouse, without the long text (descriptions
-- and raw pointers stay in the lake). Incremental by partition: a run deletes exactly its
-- [min_date, max_date) window (pre-hook, same transaction) and re-reads only that window of the
-- lake, so re-running a day replaces it and a daily run never rescans history. The first build
-- and --full-refresh read the whole lake whatever the window.
with postings as (
    select * from {{ ref('stg_lake__job_postings') }}
    {% if is_incremental() %}
    where partition_date >= '{{ var("min_date") }}'::date
        and partition_date < '{{ var("max_date") }}'::date
    {% endif %}
)

select
    partition_date,
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
    collected_at
from postings
