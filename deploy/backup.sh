#!/usr/bin/env bash
# Back up the database (pg_dump, custom format) and the uploaded files (MEDIA_ROOT) into
# TARGET/backup-<UTC time>/: database.dump and media.tar.gz. Reads DATABASE_URL and MEDIA_ROOT
# from the environment (deploy/README.md, "Backups").
#
#   usage: deploy/backup.sh TARGET_FOLDER        prints the backup's folder on success
set -euo pipefail

die() { echo "backup.sh: $*" >&2; exit 2; }

[[ $# -eq 1 ]] || die "usage: backup.sh TARGET_FOLDER"
target=$1
: "${DATABASE_URL:?backup.sh: set DATABASE_URL (postgres://…) to the database to back up}"
: "${MEDIA_ROOT:?backup.sh: set MEDIA_ROOT to the folder of uploaded files}"
[[ -d $MEDIA_ROOT ]] || die "MEDIA_ROOT=$MEDIA_ROOT is not a folder"
mkdir -p "$target"

stamp=$(date -u +%Y%m%dT%H%M%SZ)
final="$target/backup-$stamp"
[[ ! -e $final ]] || die "$final already exists"
# Written under a temporary name and renamed at the end: a folder named backup-* is complete.
partial="$final.partial"
rm -rf "$partial"
mkdir "$partial"
trap 'rm -rf "$partial"' EXIT

# The database first, then the files: every file the dump refers to was on disk before the
# tar started (files uploaded in between are extra, never missing).
pg_dump --format=custom --no-owner --no-acl --file="$partial/database.dump" --dbname="$DATABASE_URL"
tar --create --gzip --file="$partial/media.tar.gz" --directory="$MEDIA_ROOT" .

mv "$partial" "$final"
trap - EXIT
echo "$final"
