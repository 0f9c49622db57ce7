
# The segment goes before the prompt, once however often this file is sourced. The text is
# escaped for the prompt, so a `%` in a profile name is shown rather than interpreted.
function __awsuse_prompt_hook() {
    __awsuse_prompt_update
    __awsuse_segment=${__awsuse_segment//\%/%%}
    if [[ -n $__awsuse_segment ]]; then __awsuse_segment+=" "; fi
}
\builtin typeset -ga precmd_functions
if (( ! ${precmd_functions[(Ie)__awsuse_prompt_hook]} )); then
    precmd_functions+=(__awsuse_prompt_hook)
fi
\builtin setopt prompt_subst
if [[ ${PROMPT:-} != *'${__awsuse_segment'* ]]; then
    PROMPT='${__awsuse_segment:-}'"${PROMPT:-}"
fi
