using Maas.Tests.Shared;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Net.Client;
using Maas.EndToEnd.Tests.Admin;
using Maas.EndToEnd.Tests.Infrastructure;
using Maas.Server;
using Maas.Server.Protocols.Grpc.Inference;

namespace Maas.EndToEnd.Tests.Security;

/// <summary>HTTPS on the REST port (HTTP/1.1 and HTTP/2 by ALPN) and gRPC over TLS on the gRPC port, from a
/// certificate the test makes, as PEM files and as PKCS#12.</summary>
public sealed class TlsTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Serve_WithCertificate_RestOverHttp11AndHttp2AndGrpcOverTls(bool pfx)
    {
        var folder = TempFolder.Create("maas-tls");
        try
        {
            using var certificate = TestCertificate.Create(folder);
            var grpcPort = FreePorts.Next();
            var options = new MaasServerOptions { DataDirectory = Path.Combine(folder, "data"), HttpPort = 0, GrpcPort = grpcPort, RegisterSamples = false };
            string[] args;
            if (pfx)
            {
                args = [$"--Maas:Server:Tls:CertificatePath={certificate.Pfx}", $"--Maas:Server:Tls:Password={TestCertificate.PfxPassword}"];
            }
            else
            {
                // The CLI's --tls-cert/--tls-key land here.
                options.TlsCertificatePath = certificate.CertificatePem;
                options.TlsKeyPath = certificate.KeyPem;
                args = [];
            }

            await using var app = MaasServer.Build(options, args);
            await app.StartAsync();
            var address = new Uri(app.Urls.Single(u => new Uri(u).Port != grpcPort));
            Assert.Equal("https", address.Scheme);

            using var client = new HttpClient(certificate.TrustingHandler()) { BaseAddress = address };
            await WaitUntilReadyAsync(client);
            using (var form = new MultipartFormDataContent { { new ByteArrayContent(AddModel.Create(1)), "file", "model.onnx" } })
            using (var pushed = await client.PostAsync("/api/models/adder/versions", form))
            {
                Assert.Equal(HttpStatusCode.Created, pushed.StatusCode);
            }

            foreach (var version in new[] { HttpVersion.Version11, HttpVersion.Version20 })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/health/live") { Version = version, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
                using var response = await client.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(version, response.Version);
            }

            Assert.Equal(AddModel.Expected(1), (await AddModel.InferAsync(client, "/v2/models/adder/infer")).Output);
            var metadata = await client.GetFromJsonAsync<JsonElement>("/v2");
            Assert.Equal("maas", metadata.GetProperty("name").GetString());

            // Plain HTTP to the TLS port gets no answer.
            using (var plain = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{address.Port}"), Timeout = TimeSpan.FromSeconds(30) })
            {
                await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetAsync("/v2/health/live"));
            }

            // An untrusting client refuses the self-signed certificate.
            using (var strict = new HttpClient { BaseAddress = address })
            {
                var refused = await Assert.ThrowsAnyAsync<HttpRequestException>(() => strict.GetAsync("/v2/health/live"));
                Assert.IsType<System.Security.Authentication.AuthenticationException>(refused.InnerException);
            }

            using var channel = GrpcChannel.ForAddress($"https://127.0.0.1:{grpcPort}", new GrpcChannelOptions { HttpHandler = certificate.TrustingHandler() });
            var grpc = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
            Assert.True((await grpc.ServerLiveAsync(new ServerLiveRequest())).Live);
            Assert.True((await grpc.ModelReadyAsync(new ModelReadyRequest { Name = "adder" })).Ready);
            await app.StopAsync();
        }
        finally
        {
            TempFolder.Delete(folder);
        }
    }

    [Fact]
    public void Build_CertificateWithoutKey_FailsNamingTheFix()
    {
        var folder = TempFolder.Create("maas-tls");
        try
        {
            using var certificate = TestCertificate.Create(folder);
            var options = new MaasServerOptions { DataDirectory = Path.Combine(folder, "data"), HttpPort = 0, GrpcPort = 0, TlsCertificatePath = certificate.CertificatePem };

            var error = Assert.Throws<InvalidOperationException>(() => MaasServer.Build(options));

            Assert.Contains("--tls-key", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            TempFolder.Delete(folder);
        }
    }

    private static async Task WaitUntilReadyAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await client.GetAsync("/v2/health/ready");
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("The server did not become ready.");
    }
}
