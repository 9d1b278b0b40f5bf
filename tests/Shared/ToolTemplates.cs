namespace Maas.Tests.Shared;

/// <summary>Our own chat templates in the three tool-calling families' formats, with the markers their models need as tokens.</summary>
/// <remarks>Written for the tests (not copied from any model): each uses what real tool-calling templates use — macros,
/// <c>{% call %}</c>, <c>namespace()</c>, <c>strftime_now</c>, <c>tojson</c> with an indent, loop controls — and renders
/// tools, assistant tool calls and tool results.</remarks>
internal static class ToolTemplates
{
    /// <summary>Hermes / Qwen: ChatML turns, tools in <c>&lt;tools&gt;</c>, calls in <c>&lt;tool_call&gt;</c>, results in <c>&lt;tool_response&gt;</c>.</summary>
    public const string Hermes = """
        {%- macro render_tool(tool) -%}
        {{- tool | tojson }}
        {%- endmacro -%}
        {%- if tools %}
            {{- '<|im_start|>system\n' }}
            {%- if messages[0].role == 'system' %}
                {{- messages[0].content + '\n\n' }}
            {%- endif %}
            {{- "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n<tools>" }}
            {%- for tool in tools %}
                {{- "\n" + render_tool(tool) }}
            {%- endfor %}
            {{- "\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n" }}
        {%- elif messages[0].role == 'system' %}
            {{- '<|im_start|>system\n' + messages[0].content + '<|im_end|>\n' }}
        {%- endif %}
        {%- for message in messages %}
            {%- if message.role == 'system' %}
                {%- continue %}
            {%- endif %}
            {%- if message.role == 'user' or (message.role == 'assistant' and not message.tool_calls) %}
                {{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>\n' }}
            {%- elif message.role == 'assistant' %}
                {{- '<|im_start|>assistant' }}
                {%- if message.content %}
                    {{- '\n' + message.content }}
                {%- endif %}
                {%- for tool_call in message.tool_calls %}
                    {%- set call = tool_call.function %}
                    {{- '\n<tool_call>\n{"name": "' + call.name + '", "arguments": ' + call.arguments | tojson + '}\n</tool_call>' }}
                {%- endfor %}
                {{- '<|im_end|>\n' }}
            {%- elif message.role == 'tool' %}
                {%- if loop.first or messages[loop.index0 - 1].role != 'tool' %}
                    {{- '<|im_start|>user' }}
                {%- endif %}
                {{- '\n<tool_response>\n' + message.content + '\n</tool_response>' }}
                {%- if loop.last or messages[loop.index0 + 1].role != 'tool' %}
                    {{- '<|im_end|>\n' }}
                {%- endif %}
            {%- endif %}
        {%- endfor %}
        {%- if add_generation_prompt %}
            {{- '<|im_start|>assistant\n' }}
        {%- endif %}
        """;

    /// <summary>Llama 3.x: header tokens, a dated system turn, tools as indented JSON, calls as <c>{"name", "parameters"}</c>, results from <c>ipython</c>.</summary>
    public const string Llama3 = """
        {{- bos_token }}
        {%- set date_string = strftime_now("%d %b %Y") %}
        {%- if messages[0].role == 'system' %}
            {%- set system_message = messages[0].content | trim %}
            {%- set messages = messages[1:] %}
        {%- else %}
            {%- set system_message = "" %}
        {%- endif %}
        {{- "<|start_header_id|>system<|end_header_id|>\n\n" }}
        {{- "Cutting Knowledge Date: December 2023\nToday Date: " + date_string + "\n\n" }}
        {{- system_message }}
        {{- "<|eot_id|>" }}
        {%- if tools is defined and tools is not none %}
            {{- "<|start_header_id|>user<|end_header_id|>\n\n" }}
            {{- "Given the following functions, respond with a JSON for a function call with its proper arguments.\n\n" }}
            {{- 'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}. Do not use variables.\n\n' }}
            {%- for t in tools %}
                {{- t | tojson(indent=4) }}
                {{- "\n\n" }}
            {%- endfor %}
            {{- "<|eot_id|>" }}
        {%- endif %}
        {%- for message in messages %}
            {%- if message.role == 'assistant' and message.tool_calls %}
                {%- set tool_call = message.tool_calls[0].function %}
                {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' }}
                {{- '{"name": "' + tool_call.name + '", "parameters": ' + tool_call.arguments | tojson + '}' }}
                {{- "<|eot_id|>" }}
            {%- elif message.role == 'tool' %}
                {{- "<|start_header_id|>ipython<|end_header_id|>\n\n" + message.content + "<|eot_id|>" }}
            {%- else %}
                {{- '<|start_header_id|>' + message.role + '<|end_header_id|>\n\n' + message.content | trim + '<|eot_id|>' }}
            {%- endif %}
        {%- endfor %}
        {%- if add_generation_prompt %}
            {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' }}
        {%- endif %}
        """;

    /// <summary>Mistral: <c>[INST]</c> turns, tools in <c>[AVAILABLE_TOOLS]</c> before the last user turn, calls as <c>[TOOL_CALLS][…]</c>.</summary>
    public const string Mistral = """
        {%- macro wrap(tag) -%}
        {{- '[' + tag + ']' + caller() + '[/' + tag + ']' }}
        {%- endmacro -%}
        {%- set ns = namespace(last_user=-1, system='') %}
        {%- for message in messages %}
            {%- if message.role == 'user' %}
                {%- set ns.last_user = loop.index0 %}
            {%- elif message.role == 'system' %}
                {%- set ns.system = message.content + '\n\n' %}
            {%- endif %}
        {%- endfor %}
        {{- bos_token }}
        {%- for message in messages %}
            {%- if message.role == 'user' %}
                {%- if tools and loop.index0 == ns.last_user %}
                    {%- call wrap('AVAILABLE_TOOLS') %}{{ tools | tojson }}{% endcall %}
                {%- endif %}
                {%- if loop.index0 == ns.last_user %}
                    {{- '[INST]' + ns.system + message.content + '[/INST]' }}
                {%- else %}
                    {{- '[INST]' + message.content + '[/INST]' }}
                {%- endif %}
            {%- elif message.role == 'assistant' and message.tool_calls %}
                {{- '[TOOL_CALLS][' }}
                {%- for call in message.tool_calls %}
                    {{- '{"name": "' + call.function.name + '", "arguments": ' + call.function.arguments | tojson + ', "id": "' + call.id + '"}' }}
                    {%- if not loop.last %}
                        {{- ', ' }}
                    {%- endif %}
                {%- endfor %}
                {{- ']' + eos_token }}
            {%- elif message.role == 'assistant' %}
                {{- message.content + eos_token }}
            {%- elif message.role == 'tool' %}
                {%- call wrap('TOOL_RESULTS') %}{{ {"call_id": message.tool_call_id, "content": message.content} | tojson }}{% endcall %}
            {%- endif %}
        {%- endfor %}
        """;

    public static readonly string[] HermesTokens = ["<|im_start|>", "<|im_end|>", "<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>"];

    public static readonly string[] Llama3Tokens = ["<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>", "<|python_tag|>"];

    public static readonly string[] MistralTokens = ["[INST]", "[/INST]", "[TOOL_CALLS]", "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]", "[TOOL_RESULTS]", "[/TOOL_RESULTS]"];
}
