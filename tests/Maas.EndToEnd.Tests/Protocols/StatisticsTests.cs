using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Maas.EndToEnd.Tests.Admin;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.EndToEnd.Tests.Tensors;

namespace Maas.EndToEnd.Tests.Protocols;

/// <summary>The statistics extension counts a known sequence of requests exactly, and agrees with <c>/metrics</c>.</summary>
[Collection(TensorServerCollection.Name)]
public sealed class StatisticsTests(TensorServerFixture fixture)
{
    [Fact]
    public async Task Stats_KnownSuccessesAndFailures_CountsThemExactly()
    {
        var model = $"stats-{Guid.NewGuid():N}"[..14];
        await fixture.Server.PushAsync(model, AddModel.Files(1));
        Assert.Equal(HttpStatusCode.OK, (await Json.PostAsync(fixture.Client, $"/v2/repository/models/{model}/load", "")).Status);
        var before = await StatsAsync(model);
        var started = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        // Three successes of 1, 2 and 1 rows, one after another (no merging), then two failures after the model resolved.
        foreach (var rows in new[] { 1, 2, 1 })
        {
            var data = string.Join(", ", Enumerable.Repeat("1, 2, 3", rows));
            var body = $$"""{"inputs": [{"name": "x", "shape": [{{rows}}, 3], "datatype": "FP32", "data": [{{data}}]}]}""";
            Assert.Equal(HttpStatusCode.OK, (await Json.PostAsync(fixture.Client, $"/v2/models/{model}/infer", body)).Status);
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await Json.PostAsync(fixture.Client, $"/v2/models/{model}/infer", """{"inputs": 5}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Json.PostAsync(fixture.Client, $"/models/{model}/predict", """{"input": [[1, 2]]}""")).Status);

        var after = await Eventually.WaitForAsync(() => StatsAsync(model), s => Count(s, "fail") - Count(before, "fail") == 2 && Count(s, "success") - Count(before, "success") == 3);
        Assert.Equal(3, Count(after, "success") - Count(before, "success"));
        Assert.Equal(2, Count(after, "fail") - Count(before, "fail"));
        Assert.Equal(3, Count(after, "queue") - Count(before, "queue"));
        Assert.Equal(3, Count(after, "compute_infer") - Count(before, "compute_infer"));
        Assert.Equal(3, Count(after, "compute_input") - Count(before, "compute_input"));
        Assert.Equal(3, Count(after, "compute_output") - Count(before, "compute_output"));
        Assert.True(Ns(after, "compute_infer") > Ns(before, "compute_infer"));
        Assert.Equal(4, after.GetProperty("inference_count").GetInt64() - before.GetProperty("inference_count").GetInt64());
        Assert.Equal(3, after.GetProperty("execution_count").GetInt64() - before.GetProperty("execution_count").GetInt64());
        Assert.True(Ns(after, "success") > Ns(before, "success"));
        Assert.True(after.GetProperty("last_inference").GetInt64() >= started);
        var batches = after.GetProperty("batch_stats").EnumerateArray().ToDictionary(b => b.GetProperty("batch_size").GetInt32());
        Assert.True(batches[2].GetProperty("compute_infer").GetProperty("count").GetInt64() >= 1);

        // /metrics counts the same requests.
        var metrics = await fixture.Client.GetStringAsync("/metrics");
        Assert.Equal(Count(after, "success"), Value(metrics, "maas_server_requests_total", model, "ok", "v2"));
        Assert.Equal(Count(after, "fail"), Value(metrics, "maas_server_requests_total", model, "invalid", "v2") + Value(metrics, "maas_server_requests_total", model, "invalid", "predict"));
        Assert.Equal(Count(after, "queue"), Series(metrics, $$"""maas_inference_queue_duration_seconds_count{maas_model="{{model}}",maas_version="1"}"""));
        Assert.Equal(after.GetProperty("execution_count").GetInt64(), Series(metrics, $$"""maas_inference_compute_duration_seconds_count{maas_model="{{model}}",maas_version="1"}"""));
        Assert.Equal(after.GetProperty("inference_count").GetInt64(), Series(metrics, $$"""maas_inference_batch_size_sum{maas_model="{{model}}",maas_version="1"}"""));
    }

    [Fact]
    public async Task Stats_AllModelsAndOneVersion_ListTheVersionWithZerosBeforeAnyRequest()
    {
        var model = $"stats-zero-{Guid.NewGuid():N}"[..19];
        await fixture.Server.PushAsync(model, AddModel.Files(1));

        var (status, all) = await Json.GetAsync(fixture.Client, "/v2/models/stats");
        var (versionStatus, one) = await Json.GetAsync(fixture.Client, $"/v2/models/{model}/versions/1/stats");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(all.GetProperty("model_stats").EnumerateArray(), s => s.GetProperty("name").GetString() == model);
        Assert.Equal(HttpStatusCode.OK, versionStatus);
        var stats = Assert.Single(one.GetProperty("model_stats").EnumerateArray());
        Assert.Equal("1", stats.GetProperty("version").GetString());
        Assert.Equal(0, stats.GetProperty("inference_count").GetInt64());
        Assert.Equal(0, Count(stats, "success"));
        Assert.Empty(stats.GetProperty("batch_stats").EnumerateArray());
    }

    [Fact]
    public async Task Stats_UnknownModel_Returns404InV2Shape()
    {
        var (status, body) = await Json.GetAsync(fixture.Client, "/v2/models/no-such-model/stats");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error").GetString()));
    }

    private async Task<JsonElement> StatsAsync(string model)
    {
        var (status, body) = await Json.GetAsync(fixture.Client, $"/v2/models/{model}/stats");
        Assert.Equal(HttpStatusCode.OK, status);
        return Assert.Single(body.GetProperty("model_stats").EnumerateArray());
    }

    private static long Count(JsonElement stats, string kind) => stats.GetProperty("inference_stats").GetProperty(kind).GetProperty("count").GetInt64();

    private static long Ns(JsonElement stats, string kind) => stats.GetProperty("inference_stats").GetProperty(kind).GetProperty("ns").GetInt64();

    private static long Value(string text, string metric, string model, string outcome, string protocol) =>
        Series(text, $$"""{{metric}}{maas_model="{{model}}",maas_version="1",outcome="{{outcome}}",protocol="{{protocol}}"}""");

    private static long Series(string text, string series)
    {
        var match = Regex.Match(text, "^" + Regex.Escape(series) + " ([^ \n]+)$", RegexOptions.Multiline);
        return match.Success ? (long)double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }
}
