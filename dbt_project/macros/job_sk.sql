{#- The published tables' integer job key: the first 60 bits of an md5 hex key as BIGINT.
    Must stay the same expression as JOB_SK_SQL in job_assets/warehouse/keys.py (the export
    tests join dbt-built and Python-built keys). -#}
{% macro job_sk(key) -%}
('0x' || left({{ key }}, 15))::bigint
{%- endmacro %}
