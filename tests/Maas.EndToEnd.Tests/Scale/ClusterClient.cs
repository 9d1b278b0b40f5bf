using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Maas.EndToEnd.Tests.Admin;

namespace Maas.EndToEnd.Tests.Scale;

/// <summary>Calls against a replica or the balancer that record failures (including refused connections) instead of throwing.</summary>
internal static class ClusterClient
{
    public static string Output(float constant) => AddModel.Format(AddModel.Expected(constant));

    /// <summary>Pushes the adder with <paramref name="constant"/>; the version number when acknowledged (2xx), else null.</summary>
    public static async Task<int?> PushAsync(HttpClient client, string model, float constant, string? alias = null)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(AddModel.Create(constant)), "file", "model.onnx" } };
        if (alias is not null)
        {
            form.Add(new StringContent(alias), "alias");
        }

        try
        {
            using var response = await client.PostAsync($"/api/models/{model}/versions", form);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return json.RootElement.GetProperty("version").GetInt32();
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    public static async Task MoveAliasAsync(HttpClient client, string model, string alias, int version)
    {
        using var content = new StringContent($"{{\"version\": {version}}}", Encoding.UTF8, "application/json");
        using var response = await client.PutAsync($"/api/models/{model}/aliases/{alias}", content);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    /// <summary>The adder's answer for x = [1, 2, 3], or the failure ("503: ...", "connection: ...").</summary>
    public static async Task<(bool Ok, string Output)> InferAsync(HttpClient client, string model)
    {
        const string body = """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}""";
        try
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await client.PostAsync($"/v2/models/{model}/infer", content);
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return (false, $"{(int)response.StatusCode}: {text}");
            }

            using var json = JsonDocument.Parse(text);
            return (true, AddModel.Format([.. json.RootElement.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetSingle())]));
        }
        catch (HttpRequestException e)
        {
            return (false, $"connection: {e.Message}");
        }
    }

    /// <summary>The version numbers a replica lists for <paramref name="model"/>.</summary>
    public static async Task<int[]> VersionsAsync(HttpClient client, string model)
    {
        using var response = await client.GetAsync($"/api/models/{model}");
        if (!response.IsSuccessStatusCode)
        {
            return [];
        }

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. json.RootElement.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("version").GetInt32()).Order()];
    }

    /// <summary>Waits until the replica answers <paramref name="expected"/>; returns how long that took.</summary>
    public static async Task<TimeSpan> WaitForOutputAsync(HttpClient client, string model, string expected, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var (ok, output) = await InferAsync(client, model);
            if ((ok && output == expected) || clock.Elapsed > timeout)
            {
                return clock.Elapsed;
            }

            await Task.Delay(50);
        }
    }
}
