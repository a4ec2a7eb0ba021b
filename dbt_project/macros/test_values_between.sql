{% test values_between(model, column_name, min_value, max_value) %}
-- Known values outside [min_value, max_value] (inclusive): a sanity bound, not a business rule.
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
    and ({{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }})
{% endtest %}
