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
        # mapfile reads in blocks where `read` would read a pipe byte by byte; names are
        # matched as text, never expanded.
        \builtin local name
        \builtin local -a names
        \builtin mapfile -t names < <(\command awsuse list --names 2>/dev/null)
        COMPREPLY=()
        for name in "${names[@]}"; do
            if [[ $name == "$cur"* ]]; then COMPREPLY+=("$name"); fi
        done
        \builtin return 0
    fi
    _{{cmd}} "$@"
}
\builtin complete -F __awsuse_complete -o nosort -o bashdefault -o default {{cmd}}
