{% test timestamps_ordered(model, earlier, later) %}
-- Rows where the value that must come first is after the one that must come later.
select {{ earlier }}, {{ later }}
from {{ model }}
where {{ earlier }} > {{ later }}
{% endtest %}
