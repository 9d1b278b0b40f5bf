using System.CommandLine;
using Maas.Formats.Gguf;
using Maas.Formats.Onnx;

namespace Maas.Cli.Commands;

/// <summary><c>maas inspect FILE</c>: what a local GGUF or ONNX file says about itself, read from its header alone.</summary>
/// <remarks>
/// Works offline and reads only headers, so inspecting a 40 GB model is instant. A file is GGUF when it starts with
/// the GGUF magic or is named <c>*.gguf</c> (so a damaged GGUF gets GGUF's error, not ONNX's); anything else is read as ONNX,
/// which has no magic of its own.
/// </remarks>
internal static class InspectCommand
{
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var file = new Argument<string>("file") { Description = "A .gguf or .onnx model file" };
        var command = new Command("inspect", "Show a local GGUF or ONNX file's header: metadata, tensors, inputs and outputs") { file };
        command.SetAction(parseResult => Run(context, parseResult.GetValue(file)!));
        return command;
    }

    private static int Run(CliContext context, string path)
    {
        if (!File.Exists(path))
        {
            return ApiAction.Fail(context, $"file not found: {path}");
        }

        var isGguf = IsGguf(path);
        try
        {
            if (isGguf)
            {
                var gguf = GgufReader.Read(path);
                GgufInspectView.Write(context.Out, path, gguf);
            }
            else
            {
                OnnxInspectView.Write(context.Out, path, OnnxModelReader.Read(path));
            }

            return ExitCodes.Success;
        }
        catch (InvalidDataException e)
        {
            return ApiAction.Fail(context, $"'{path}' is not a valid {(isGguf ? "GGUF file" : "ONNX model")}: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ApiAction.Fail(context, $"cannot read '{path}': {e.Message}");
        }
    }

    private static bool IsGguf(string path)
    {
        if (path.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        try
        {
            using var stream = File.OpenRead(path);
            Span<byte> magic = stackalloc byte[4];
            return stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic.SequenceEqual("GGUF"u8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The real read reports the problem with a better message.
            return false;
        }
    }
}
