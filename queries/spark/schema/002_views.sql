-- The Spark SQL twins of the scalar macros of queries/schema/002_views.sql that the marts call (Spark
-- has no macros; a SQL function is its equivalent). lendrisk.spark defines them in every Spark
-- session before the marts are built; tests/test_spark_marts.py checks that both engines give the
-- same value for every state of lendrisk.vocab.STATES.

-- is_active_state(state): current or one of the four overdue buckets (lendrisk.vocab.ACTIVE_STATES).
create or replace temporary function is_active_state(state string) returns boolean
return state in ('current', '1-30', '31-60', '61-90', '90+');

-- state_order(state): the position of a state in lendrisk.vocab.STATES (1 = current .. 7 = charged_off;
-- null for anything else, as DuckDB's list_position).
create or replace temporary function state_order(state string) returns int
return nullif(array_position(array('current', '1-30', '31-60', '61-90', '90+', 'paid_off', 'charged_off'), state), 0);

-- score_band(score): the borrower's credit-score band (lt600, 600-649, 650-699, 700-749, ge750).
create or replace temporary function score_band(score int) returns string
return case
    when score < 600 then 'lt600'
    when score < 650 then '600-649'
    when score < 700 then '650-699'
    when score < 750 then '700-749'
    else 'ge750'
end;

-- income_verification(verified): verified, not_verified, unknown (null).
create or replace temporary function income_verification(verified boolean) returns string
return case
    when verified then 'verified'
    when not verified then 'not_verified'
    else 'unknown'
end;
