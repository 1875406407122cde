{#- Fails on every row where the expression is false: arithmetic invariants
    such as `rows_read = rows_used + rows_rejected`. (dbt_utils has one; the
    package hub is unreachable here, so we keep our own.) -#}
{% test expression_is_true(model, expression) %}
select *
from {{ model }}
where not ({{ expression }})
{% endtest %}
