# What the files know: profile names after `use` (asked of awsuse on each Tab, so new
# profiles complete at once) and regions after --region.
function __awsuse_complete() {
    if [[ ${words[CURRENT-1]} == --region ]]; then
        \builtin compadd -- {{regions}}
        \builtin return
    fi

    # The subcommand is the first word that is neither an option nor an option's value.
    \builtin local i sub=
    for ((i = 2; i < CURRENT; i++)); do
        case ${words[i]} in
            --config-file | --credentials-file) ((i++)) ;;
            -*) ;;
            *)
                sub=${words[i]}
                break
                ;;
        esac
    done
    if [[ $sub == use && ${words[CURRENT]} != -* && ${words[CURRENT-1]} != --* ]]; then
        \builtin local -a names
        names=(${(f)"$(\command awsuse list --names --prefix '' 2>/dev/null)"})
        \builtin compadd -Q -a names
        \builtin return
    fi
    _{{cmd}} "$@"
}
# Completion needs compinit; a shell without it simply has none.
if (( ${+functions[compdef]} )); then
    compdef __awsuse_complete {{cmd}}
fi
