# What the files know: profile names after `use` (asked of awsuse on each Tab, so new
# profiles complete at once) and regions after --region.
__awsuse_complete() {
    \builtin local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]:-}
    if [[ $prev == --region ]]; then
        \builtin mapfile -t COMPREPLY < <(\builtin compgen -W "{{regions}}" -- "$cur")
        \builtin return 0
    fi

    # The subcommand is the first word that is neither an option nor an option's value.
    \builtin local i sub=
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
            --config-file | --credentials-file) ((i++)) ;;
            -*) ;;
            *)
                sub=${COMP_WORDS[i]}
                break
                ;;
        esac
    done
    if [[ $sub == use && $cur != -* && $prev != --* ]]; then
        # awsuse matches the prefix itself: a loop over 10,000 names in bash takes longer than
        # the whole of awsuse. bash reads a pipe one byte at a time (mapfile, read, and small
        # here-strings are pipes), but a command substitution in blocks. The names are then
        # split at newlines only and never expanded: a plugin's names may hold '*'.
        \builtin local names IFS=$'\n' noglob=
        names=$(\command awsuse list --names --prefix "$cur" 2>/dev/null)
        [[ $- == *f* ]] && noglob=1
        \builtin set -f
        # shellcheck disable=SC2206
        COMPREPLY=($names)
        [[ -n $noglob ]] || \builtin set +f
        \builtin return 0
    fi
    _{{cmd}} "$@"
}
\builtin complete -F __awsuse_complete -o nosort -o bashdefault -o default {{cmd}}
