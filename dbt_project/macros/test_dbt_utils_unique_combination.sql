{% test dbt_utils_unique_combination(model, columns) %}
-- Rows whose combination of columns is not unique (no package download needed offline).
select {{ columns | join(', ') }}, count(*) as n
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
