using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Maas.Server.Protocols.Grpc.Inference;

namespace Maas.Cli.Bench;

/// <summary>gRPC <c>ModelInfer</c> calls with raw input contents, over one channel (HTTP/2 multiplexes the clients;
/// more connections open when one fills up).</summary>
internal sealed class GrpcSender : IInferSender, IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client;
    private readonly IReadOnlyList<ModelInferRequest> _requests;
    private readonly int _rows;
    private readonly TimeSpan _timeout;

    public GrpcSender(Uri address, string model, IReadOnlyList<WireRequest> requests, int rows, TimeSpan timeout, string? apiKey = null)
    {
        HttpMessageHandler handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, UseProxy = false };
        if (apiKey is not null)
        {
            // gRPC metadata is HTTP/2 headers: the key rides on every call as it does on REST.
            handler = new BearerHandler(apiKey) { InnerHandler = handler };
        }

        _channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = handler,
            MaxReceiveMessageSize = null,
            MaxSendMessageSize = null,
        });
        _client = new GRPCInferenceService.GRPCInferenceServiceClient(_channel);
        _requests = requests.Select(r => ToMessage(model, r)).ToList();
        _rows = rows;
        _timeout = timeout;
    }

    public int Variants => _requests.Count;

    /// <summary>The gRPC form of a request: inputs described, their bytes in <c>raw_input_contents</c>.</summary>
    internal static ModelInferRequest ToMessage(string model, WireRequest request)
    {
        var message = new ModelInferRequest { ModelName = model };
        foreach (var input in request.Inputs)
        {
            var tensor = new ModelInferRequest.Types.InferInputTensor { Name = input.Name, Datatype = input.Datatype };
            tensor.Shape.AddRange(input.Shape);
            message.Inputs.Add(tensor);
            message.RawInputContents.Add(Google.Protobuf.ByteString.CopyFrom(input.Raw));
        }

        foreach (var output in request.Outputs ?? [])
        {
            message.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = output });
        }

        return message;
    }

    public async Task SendAsync(int variant, LevelRecorder recorder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        var started = Stopwatch.GetTimestamp();
        recorder.Sent(started);
        try
        {
            using var call = _client.ModelInferAsync(_requests[variant], deadline: DateTime.UtcNow + _timeout, cancellationToken: cancellationToken);
            await call.ResponseAsync.ConfigureAwait(false);
            recorder.Success(Stopwatch.GetElapsedTime(started).TotalMilliseconds, _rows);
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (ex.StatusCode == StatusCode.DeadlineExceeded)
            {
                recorder.Failure("timeout", $"no answer within {BenchDuration.Format(_timeout)}", elapsed);
            }
            else
            {
                recorder.Failure($"gRPC {ex.StatusCode}", ex.Status.Detail, elapsed);
            }
        }
    }

    public void Dispose() => _channel.Dispose();
}
