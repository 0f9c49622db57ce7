# What the files know: profile names after `use` (asked of awsuse on each Tab, so new
# profiles complete at once) and regions after --region.
complete -c {{cmd}} -n '__fish_seen_subcommand_from use; and not string match -q -- "-*" (commandline -ct)' -f -a '(command awsuse list --names --prefix "" 2>/dev/null)'
complete -c {{cmd}} -l region -x -a '{{regions}}'
