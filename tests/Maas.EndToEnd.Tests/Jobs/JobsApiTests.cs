using System.Net;
using System.Text.Json;
using Maas.EndToEnd.Tests.Infrastructure;

namespace Maas.EndToEnd.Tests.Jobs;

/// <summary>The jobs admin API on a real server: status codes, the event stream, cancel, and the version a job registers.</summary>
public sealed class JobsApiTests : IAsyncLifetime
{
    private JobServer? _server;

    private JobServer Jobs => _server!;

    public async Task InitializeAsync() => _server = await JobServer.StartAsync();

    public async Task DisposeAsync() => await _server!.DisposeAsync();

    [Fact]
    public async Task Post_ValidJob_202WithLocation_EventsEndWithSucceeded_VersionHasLineageAndReport()
    {
        var (status, job, location) = await SubmitAsync("""{"kind":"quantize","parameters":{"model":"adder","version":1,"method":"dynamic-int8","alias":"int8"}}""");

        Assert.Equal(HttpStatusCode.Accepted, status);
        var id = job.GetProperty("id").GetString()!;
        Assert.Equal($"/api/jobs/{id}", location);
        Assert.Equal("queued", job.GetProperty("state").GetString());
        var (contentType, events) = await ServerSentEvents.ReadAllAsync(Jobs.Client, $"/api/jobs/{id}/events");
        Assert.Equal("text/event-stream", contentType);
        Assert.Equal("state", events[^1].Event);
        Assert.All(events[..^1], e => Assert.Equal("progress", e.Event));
        var final = events[^1].Data;
        Assert.Equal(("succeeded", "adder", 2, 1.0), (
            final.GetProperty("state").GetString(),
            final.GetProperty("result_model").GetString(),
            final.GetProperty("result_version").GetInt32(),
            final.GetProperty("progress").GetDouble()));

        var (_, details) = await Json.GetAsync(Jobs.Client, "/api/models/adder");
        Assert.Equal(2, details.GetProperty("aliases").GetProperty("int8").GetInt32());
        var version = details.GetProperty("versions").EnumerateArray().Single(v => v.GetProperty("version").GetInt32() == 2);
        var lineage = version.GetProperty("lineage");
        Assert.Equal(id, lineage.GetProperty("job_id").GetString());
        var parent = Assert.Single(lineage.GetProperty("parents").EnumerateArray());
        Assert.Equal(("adder", 1, "source"), (parent.GetProperty("model").GetString(), parent.GetProperty("version").GetInt32(), parent.GetProperty("role").GetString()));
        Assert.Equal("adder:1", version.GetProperty("report").GetProperty("parent").GetString());

        var (lineageStatus, graph) = await Json.GetAsync(Jobs.Client, "/api/models/adder/lineage");
        Assert.Equal(HttpStatusCode.OK, lineageStatus);
        Assert.Equal(["adder:2", "adder:1"], graph.GetProperty("nodes").EnumerateArray().Select(n => $"{n.GetProperty("model").GetString()}:{n.GetProperty("version").GetInt32()}"));

        // A finished job's stream is its final state alone; GET shows the same.
        var (_, again) = await ServerSentEvents.ReadAllAsync(Jobs.Client, $"/api/jobs/{id}/events");
        Assert.Equal("state", Assert.Single(again).Event);
        var (getStatus, got) = await Json.GetAsync(Jobs.Client, $"/api/jobs/{id}");
        Assert.Equal((HttpStatusCode.OK, "succeeded"), (getStatus, got.GetProperty("state").GetString()));
        var audit = (await Json.GetAsync(Jobs.Client, "/api/audit?model=adder")).Body.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Equal(["job.finish", "push", "job.submit"], audit.Take(3));
    }

    [Fact]
    public async Task ListAndEvents_LongInlineInputs_ShortenedThere_WholeInJob()
    {
        var inputs = string.Join(",", Enumerable.Range(0, 40).Select(i => $$"""{"text":"sentence {{i}}"}"""));
        var (_, job, _) = await SubmitAsync($$$"""{"kind":"quantize","parameters":{"model":"adder","method":"static-int8","calibration":[{{{inputs}}}]}}""");
        var id = job.GetProperty("id").GetString()!;

        var (_, events) = await ServerSentEvents.ReadAllAsync(Jobs.Client, $"/api/jobs/{id}/events");
        var (_, list) = await Json.GetAsync(Jobs.Client, "/api/jobs");
        var (_, whole) = await Json.GetAsync(Jobs.Client, $"/api/jobs/{id}");

        Assert.All(events, e => Assert.Equal("[40 items]", e.Data.GetProperty("parameters").GetProperty("calibration").GetString()));
        Assert.Equal("[40 items]", list.GetProperty("jobs")[0].GetProperty("parameters").GetProperty("calibration").GetString());
        Assert.Equal("adder", list.GetProperty("jobs")[0].GetProperty("parameters").GetProperty("model").GetString());
        Assert.Equal(40, whole.GetProperty("parameters").GetProperty("calibration").GetArrayLength());
    }

    [Theory]
    [InlineData("""{"kind":"prune","parameters":{"model":"adder"}}""", HttpStatusCode.BadRequest, "Unknown job kind 'prune'")]
    [InlineData("""{"kind":"quantize","parameters":{"model":"adder","method":"bad"}}""", HttpStatusCode.BadRequest, "method 'bad' does not exist")]
    [InlineData("""{"kind":"quantize","parameters":{"model":"adder","version":9,"method":"fp16"}}""", HttpStatusCode.NotFound, "no version 9")]
    [InlineData("""{"kind":"quantize","parameters":[1,2]}""", HttpStatusCode.BadRequest, "must be a JSON object")]
    [InlineData("""{"parameters":{}}""", HttpStatusCode.BadRequest, "needs a 'kind'")]
    [InlineData("""{"kind":""", HttpStatusCode.BadRequest, "Malformed JSON")]
    public async Task Post_BadJob_ProblemDetailsAndNoJob(string body, HttpStatusCode expected, string message)
    {
        var (status, problem, _) = await SubmitAsync(body);

        Assert.Equal(expected, status);
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.Contains(message, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var (_, list) = await Json.GetAsync(Jobs.Client, "/api/jobs");
        Assert.Empty(list.GetProperty("jobs").EnumerateArray());
    }

    [Fact]
    public async Task Delete_RunningJob_Cancelled_NoVersion_SecondDelete409()
    {
        var (_, job, _) = await SubmitAsync("""{"kind":"quantize","parameters":{"model":"adder","method":"gated"}}""");
        var id = job.GetProperty("id").GetString()!;
        await Jobs.Handler.GateReached.Task.WaitAsync(TimeSpan.FromSeconds(30));

        using var cancel = await Jobs.Client.DeleteAsync($"/api/jobs/{id}");
        var (_, events) = await ServerSentEvents.ReadAllAsync(Jobs.Client, $"/api/jobs/{id}/events");
        using var again = await Jobs.Client.DeleteAsync($"/api/jobs/{id}");

        // 202 while the handler is still stopping; 200 when it stopped before the answer was made.
        var answered = (await Json.ReadAsync(cancel)).GetProperty("state").GetString();
        Assert.True(
            (cancel.StatusCode, answered) is (HttpStatusCode.Accepted, "running") or (HttpStatusCode.OK, "cancelled"),
            $"{cancel.StatusCode} {answered}");
        Assert.Equal("cancelled", events[^1].Data.GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
        Assert.Contains("already finished (cancelled)", (await Json.ReadAsync(again)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        var (_, details) = await Json.GetAsync(Jobs.Client, "/api/models/adder");
        Assert.Single(details.GetProperty("versions").EnumerateArray());
    }

    [Fact]
    public async Task Jobs_FailedJob_ListedWithReason_FiltersAndUnknownIds()
    {
        var (_, failing, _) = await SubmitAsync("""{"kind":"quantize","parameters":{"model":"adder","method":"fail"}}""");
        var id = failing.GetProperty("id").GetString()!;
        var (_, events) = await ServerSentEvents.ReadAllAsync(Jobs.Client, $"/api/jobs/{id}/events");

        var final = events[^1].Data;
        Assert.Equal(("failed", "the model has nothing to quantize"), (final.GetProperty("state").GetString(), final.GetProperty("error").GetString()));
        var (_, failed) = await Json.GetAsync(Jobs.Client, "/api/jobs?state=failed&kind=quantize");
        Assert.Equal(id, Assert.Single(failed.GetProperty("jobs").EnumerateArray()).GetProperty("id").GetString());
        var (_, none) = await Json.GetAsync(Jobs.Client, "/api/jobs?state=succeeded");
        Assert.Empty(none.GetProperty("jobs").EnumerateArray());
        Assert.Equal(HttpStatusCode.BadRequest, (await Json.GetAsync(Jobs.Client, "/api/jobs?state=bogus")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Json.GetAsync(Jobs.Client, "/api/jobs/01nosuchjob000")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Json.GetAsync(Jobs.Client, "/api/jobs/01nosuchjob000/events")).Status);
        using var delete = await Jobs.Client.DeleteAsync("/api/jobs/01nosuchjob000");
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Json.GetAsync(Jobs.Client, "/api/models/nobody/lineage")).Status);
        var (_, details) = await Json.GetAsync(Jobs.Client, "/api/models/adder");
        Assert.Single(details.GetProperty("versions").EnumerateArray());
    }

    private async Task<(HttpStatusCode Status, JsonElement Body, string? Location)> SubmitAsync(string body)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await Jobs.Client.PostAsync("/api/jobs", content);
        return (response.StatusCode, await Json.ReadAsync(response), response.Headers.Location?.OriginalString);
    }
}
