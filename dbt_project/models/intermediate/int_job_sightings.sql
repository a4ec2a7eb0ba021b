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

-- every staging column, partition_date first (the incremental table's column order)
select partition_date, * exclude (partition_date)
from postings
