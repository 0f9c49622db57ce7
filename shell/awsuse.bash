# awsuse integration for bash: put `eval "$(awsuse init bash)"` in ~/.bashrc.
# Sourcing it again only redefines the same functions.

# Whether the arguments name a command whose output is shell code to evaluate.
__awsuse_switches() {
    while [ "$#" -gt 0 ]; do
        case "$1" in
            -h | --help | -V | --version) \builtin return 1 ;;
            --config-file | --credentials-file)
                if [ "$#" -gt 1 ]; then \builtin shift; fi
                ;;
            -*) ;;
            use | choose | unset | create) \builtin return 0 ;;
            *) \builtin return 1 ;;
        esac
        \builtin shift
    done
    \builtin return 1
}

# The function users call: switches are evaluated here, everything else passes through.
# A failed command's status is returned and nothing of it is evaluated.
{{cmd}}() {
    if __awsuse_switches "$@"; then
        \builtin local __awsuse_out
        __awsuse_out=$(AWSUSE_SHELL=bash \command awsuse "$@") || \builtin return
        \builtin eval -- "$__awsuse_out"
    else
        AWSUSE_SHELL=bash \command awsuse "$@"
    fi
}

# Sets __awsuse_segment to the prompt segment, PROFILE@REGION [MARK] Nm, or to nothing when
# no profile is active. Builtins only: this runs before every prompt.
__awsuse_prompt_update() {
    __awsuse_segment=${AWS_PROFILE:-${AWSUSE_PROFILE:-}}
    if [ -z "$__awsuse_segment" ]; then \builtin return 0; fi
    \builtin local region=${AWS_REGION:-${AWS_DEFAULT_REGION:-}} mark now
    if [ -n "$region" ]; then __awsuse_segment+="@$region"; fi
    case "${AWSUSE_PARTITION:-aws}" in
        aws) ;;
        aws-us-gov) __awsuse_segment+=" [gov]" ;;
        *)
            mark=${AWSUSE_PARTITION#aws-}
            __awsuse_segment+=" [${mark//-/}]"
            ;;
    esac
    if [[ ${AWSUSE_EXPIRES:-} =~ ^[0-9]+$ ]]; then
        \builtin printf -v now '%(%s)T' -1
        if ((AWSUSE_EXPIRES > now)); then
            __awsuse_segment+=" $(((AWSUSE_EXPIRES - now) / 60))m"
        else
            __awsuse_segment+=" expired"
        fi
    fi
}

# Prints the prompt segment, for prompts built by other means.
__awsuse_prompt() {
    __awsuse_prompt_update
    \builtin printf '%s' "$__awsuse_segment"
}
