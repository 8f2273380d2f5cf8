#!/usr/bin/env bash
# Restore a backup made by backup.sh: the database into an EMPTY database (refuses one that
# holds any table, sequence or view), then the files into MEDIA_ROOT. Reads DATABASE_URL (the
# database to restore into, already created: createdb NAME) and MEDIA_ROOT from the environment.
#
#   usage: deploy/restore.sh BACKUP_FOLDER       (a TARGET/backup-<time> folder of backup.sh)
set -euo pipefail

die() { echo "restore.sh: $*" >&2; exit 2; }

[[ $# -eq 1 ]] || die "usage: restore.sh BACKUP_FOLDER"
backup=$1
: "${DATABASE_URL:?restore.sh: set DATABASE_URL (postgres://…) to the EMPTY database to restore into}"
: "${MEDIA_ROOT:?restore.sh: set MEDIA_ROOT to the folder to restore the uploaded files into}"
for file in database.dump media.tar.gz; do
    [[ -f $backup/$file ]] || die "$backup/$file is missing: not a folder made by backup.sh"
done

# Any relation outside PostgreSQL's own schemas means the database is in use: restoring over
# it would mix two histories, so refuse.
relations=$(psql --dbname="$DATABASE_URL" --no-psqlrc --tuples-only --no-align --command="
    SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'")
[[ $relations == 0 ]] || die "the database of DATABASE_URL is not empty ($relations relations); restore into a new one (createdb NAME)"

# One transaction: an error leaves the database empty, not half restored. Rows are inserted
# (COPY) before the triggers of migration 0005 exist, and those refuse only UPDATE and DELETE.
pg_restore --no-owner --no-acl --exit-on-error --single-transaction \
    --dbname="$DATABASE_URL" "$backup/database.dump"

mkdir -p "$MEDIA_ROOT"
tar --extract --gzip --file="$backup/media.tar.gz" --directory="$MEDIA_ROOT"
echo "restored $backup"
