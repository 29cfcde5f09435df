#!/usr/bin/env bash
# The two PostgreSQL roles send-mediation runs with, and a database owned by the first. Idempotent: safe to
# run again while the roles, the database and its tables exist (it changes nothing that is already right).
#
#   scripts/create_db_roles.sh DATABASE [OWNER_ROLE] [APP_ROLE]
#
# OWNER_ROLE (default mediation_owner) owns the database, its public schema and every table: it runs the
# migrations (MIGRATION_DATABASE_URL). APP_ROLE (default mediation_app) is what the service runs as
# (DATABASE_URL): no ownership, no CREATE, not a member of the owner. The service, migrating as the owner,
# then grants it SELECT/INSERT/UPDATE/DELETE on the tables (only SELECT/INSERT on audit_event) and USAGE
# on the sequences, and sets the owner's default privileges so tables of future migrations are covered.
#
# Connects with psql as a superuser: PGHOST, PGPORT, PGUSER (default postgres) as psql reads them.
# OWNER_PASSWORD / APP_PASSWORD, when set, become the roles' passwords (leave unset for trust/peer auth).
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 3 ]; then
  echo "usage: $0 DATABASE [OWNER_ROLE] [APP_ROLE]" >&2
  exit 2
fi
database=$1
owner=${2:-mediation_owner}
app=${3:-mediation_app}
if [ "$owner" = "$app" ]; then
  echo "$0: the owner and the app role must be two different roles" >&2
  exit 2
fi
export PGUSER=${PGUSER:-postgres}

run_psql() {
  psql -X -q -v ON_ERROR_STOP=1 -v owner="$owner" -v app="$app" -v db="$database" \
    -v owner_password="${OWNER_PASSWORD:-}" -v app_password="${APP_PASSWORD:-}" "$@"
}

# Cluster-wide: the roles and the database.
run_psql -d postgres <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'owner')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('CREATE ROLE %I LOGIN', :'app')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app') \gexec
-- Neither may bypass the database's own checks; the app must not inherit the owner's rights.
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', :'owner') \gexec
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', :'app') \gexec
SELECT format('REVOKE %I FROM %I', :'owner', :'app')
  WHERE pg_has_role(:'app', :'owner', 'MEMBER') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'owner', :'owner_password') WHERE :'owner_password' <> '' \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'app', :'app_password') WHERE :'app_password' <> '' \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'owner')
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', :'db', :'owner') \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', :'db', :'app') \gexec
SQL

# Inside the database: the owner owns the schema and everything in it; nobody else may create there.
run_psql -d "$database" <<'SQL'
SELECT format('REASSIGN OWNED BY %I TO %I', :'app', :'owner') \gexec
SELECT format('ALTER SCHEMA public OWNER TO %I', :'owner') \gexec
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SELECT format('GRANT USAGE ON SCHEMA public TO %I', :'app') \gexec
SQL

echo "create_db_roles: database $database owned by $owner; the service runs as $app"
