#!/usr/bin/env bash
# Post BODY_FILE as the pull request's ledger comment, or update the one already there, so that a pull
# request carries one current `ledger diff` rather than a comment per push. Needs gh, GH_TOKEN and GH_REPO.
set -euo pipefail
pr="$1"
body_file="$2"
marker='<!-- ledger diff -->'
body="$(printf '%s\n\n' "$marker"; cat "$body_file")"
existing="$(gh api "repos/$GH_REPO/issues/$pr/comments" --paginate \
  --jq ".[] | select(.body | startswith(\"$marker\")) | .id" | head -n 1)"
if [ -n "$existing" ]; then
  gh api --method PATCH "repos/$GH_REPO/issues/comments/$existing" -f body="$body" >/dev/null
  echo "updated comment $existing on #$pr"
else
  gh api --method POST "repos/$GH_REPO/issues/$pr/comments" -f body="$body" >/dev/null
  echo "commented on #$pr"
fi
