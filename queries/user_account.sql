-- grain: one row per dashboard account with the given username (zero or one row)
-- The login check and the per-run re-read of a logged-in user's role and investor id (docs/design.md §4).
-- Columns: username, password_hash (argon2), role (investor / manager / admin), investor_id (investors only)
-- key: username
select *
from account
where username = $username
