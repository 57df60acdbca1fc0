#!/usr/bin/env bash
# The steps of kaderpers' check of a pull request on a kader repository, shared by
# kaderpers-github.yml and kaderpers-gitlab-ci.yml (and run by tests/test_ci_workflow.py).
# Copy this file to ci/kaderpers-pull-request.sh in the kader repository.
#
#   1. check the tree: kaderpers check --strict, one annotation per finding (and a SARIF log);
#   2. build it without running its conf.py (--isolated), with a Wijzigingen page against the
#      merge base with the main branch;
#   3. put the site and the PDFs in one folder for the CI to keep as an artifact.
#
# It fails when the check fails, but only after the build, so that reviewers get the site either way.
# Settings (environment):
#   KADERPERS_TREE           the content tree (default: docs)
#   KADERPERS_BASE_BRANCH    the branch the pull request goes into (default: main), fetched from origin
#   KADERPERS_OUTPUTS        what `build` makes besides the site (default: --all, the PDF edition and
#                            handouts; empty for the site only)
#   KADERPERS_CHECK_FORMAT   github (annotations; the default) or text (GitLab's job log)
#   KADERPERS_ARTIFACT       the folder for the artifact (default: kaderpers-artifact)
#   KADERPERS_OUT            the build folder (default: build)
#   KADERPERS                the command (default: kaderpers)
set -euo pipefail

tree="${KADERPERS_TREE:-docs}"
base_branch="${KADERPERS_BASE_BRANCH:-main}"
outputs="${KADERPERS_OUTPUTS---all}"
check_format="${KADERPERS_CHECK_FORMAT:-github}"
artifact="${KADERPERS_ARTIFACT:-kaderpers-artifact}"
out="${KADERPERS_OUT:-build}"
kaderpers="${KADERPERS:-kaderpers}"

git fetch --quiet --no-tags origin "+refs/heads/${base_branch}:refs/remotes/origin/${base_branch}"
base="$(git merge-base "origin/${base_branch}" HEAD)"
echo "kaderpers: comparing with ${base_branch} at ${base}"

rm -rf "$artifact"
mkdir -p "$artifact"
check_status=0
"$kaderpers" check "$tree" --strict --format "$check_format" || check_status=$?
"$kaderpers" check "$tree" --format sarif > "$artifact/kaderpers.sarif" || true  # its status is the line above's

# shellcheck disable=SC2086  # $outputs is a list of options
"$kaderpers" build "$tree" --out "$out" --isolated $outputs --compare-to "git:${base}"

cp -R "$out/html" "$artifact/site"
if [ -d "$out/pdf" ]; then
    cp -R "$out/pdf" "$artifact/pdf"
fi
echo "kaderpers: the site and PDFs are in ${artifact}/ (the changes: ${artifact}/site/wijzigingen/index.html)"
exit "$check_status"
