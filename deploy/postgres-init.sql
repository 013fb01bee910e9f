-- Two roles: the owner runs the migrations and owns the tables; the application role that web
-- and worker processes use does not, so PostgreSQL's row-level security applies to it.
CREATE ROLE pilote_owner LOGIN PASSWORD 'owner-password-change-me';
CREATE ROLE pilote_app LOGIN PASSWORD 'app-password-change-me' NOSUPERUSER NOBYPASSRLS;
CREATE DATABASE pilote OWNER pilote_owner;
\connect pilote
GRANT USAGE, CREATE ON SCHEMA public TO pilote_owner;
GRANT USAGE ON SCHEMA public TO pilote_app;
