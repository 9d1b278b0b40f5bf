using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Maas.UnitTests.Cli;

/// <summary>Kestrel on a free loopback port that records every request and answers with one canned response.</summary>
/// <remarks>Stands in for the real server, which does not exist yet; it checks what goes over the wire, not server behaviour.</remarks>
internal sealed class FakeMaasServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    private FakeMaasServer(WebApplication app, int status, string body, string contentType)
    {
        _app = app;
        app.Run(async context =>
        {
            _requests.Enqueue(await RecordAsync(context.Request));
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            await context.Response.WriteAsync(body, context.RequestAborted);
        });
    }

    public Uri Url { get; private set; } = null!;

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public RecordedRequest Single => Assert.Single(Requests);

    public static async Task<FakeMaasServer> StartAsync(int status = 200, string body = "{}", string contentType = "application/json")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var server = new FakeMaasServer(builder.Build(), status, body, contentType);
        await server._app.StartAsync();
        var address = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Url = new Uri(address);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static async Task<RecordedRequest> RecordAsync(HttpRequest request)
    {
        var fields = new Dictionary<string, string>();
        var files = new List<RecordedFile>();
        var body = string.Empty;
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync();
            foreach (var field in form)
            {
                fields[field.Key] = field.Value.ToString();
            }

            foreach (var file in form.Files)
            {
                using var buffer = new MemoryStream();
                await file.CopyToAsync(buffer);
                files.Add(new RecordedFile(file.Name, file.FileName, file.ContentType, buffer.ToArray()));
            }
        }
        else
        {
            using var reader = new StreamReader(request.Body);
            body = await reader.ReadToEndAsync();
        }

        return new RecordedRequest(request.Method, request.Path.Value ?? string.Empty, request.QueryString.Value ?? string.Empty, request.ContentType, body, fields, files);
    }
}
