using System.Text.Json;

namespace Maas.Serving.Generation.Tools;

/// <summary>A function the model may call: its name, what it does, and the JSON schema of its arguments.</summary>
/// <param name="Name">Letters, digits, <c>_</c> and <c>-</c>, at most 64 characters (OpenAI's rule).</param>
/// <param name="Description">Shown to the model by the chat template.</param>
/// <param name="Parameters">A JSON schema of type <c>object</c> (a cloned element, independent of the request's document).</param>
public sealed record ChatTool(string Name, string? Description, JsonElement Parameters);
