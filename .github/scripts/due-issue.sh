#!/usr/bin/env bash
# Open the issue that lists the predictions awaiting resolution, or update the one already open, so that the
# weekly check notifies the people watching the repository. Needs gh, GH_TOKEN and GH_REPO.
set -euo pipefail
body_file="$1"
title="Predictions awaiting resolution"
existing="$(gh issue list --repo "$GH_REPO" --state open --search "in:title \"$title\"" \
  --json number,title --jq ".[] | select(.title == \"$title\") | .number" | head -n 1)"
if [ -n "$existing" ]; then
  gh issue edit "$existing" --repo "$GH_REPO" --body-file "$body_file" >/dev/null
  echo "updated issue #$existing"
else
  gh issue create --repo "$GH_REPO" --title "$title" --body-file "$body_file" >/dev/null
  echo "opened the issue"
fi
