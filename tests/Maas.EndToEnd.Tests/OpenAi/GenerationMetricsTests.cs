using System.Net;
using System.Text.RegularExpressions;
using Maas.EndToEnd.Tests.Infrastructure;

namespace Maas.EndToEnd.Tests.OpenAi;

/// <summary>Generation metrics reach <c>/metrics</c> in Prometheus' text format.</summary>
[Collection(LlamaServerCollection.Name)]
public sealed partial class GenerationMetricsTests(LlamaServerFixture fixture)
{
    [Fact]
    public async Task Metrics_AfterCompletion_ExposeTokensAndLatencies()
    {
        var (status, body) = await Json.PostAsync(fixture.Client, "/v1/completions",
            $$"""{"model": "{{LlamaServerFixture.Model}}", "prompt": "hello", "max_tokens": 5, "temperature": 0}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var generated = body.GetProperty("usage").GetProperty("completion_tokens").GetInt32();

        var text = await fixture.Client.GetStringAsync("/metrics");

        var tokens = TokensLine().Match(text);
        Assert.True(tokens.Success, text);
        Assert.True(double.Parse(tokens.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= generated);
        Assert.Contains("# TYPE maas_generation_time_to_first_token_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("maas_generation_inter_token_latency_seconds_count", text, StringComparison.Ordinal);
        Assert.Contains("maas_generation_sequences_running", text, StringComparison.Ordinal);
    }

    [GeneratedRegex("""^maas_generation_tokens_total\{[^}]*\} ([0-9.eE+]+)$""", RegexOptions.Multiline)]
    private static partial Regex TokensLine();
}
