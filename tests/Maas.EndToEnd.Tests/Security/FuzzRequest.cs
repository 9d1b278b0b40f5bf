using System.Text;

namespace Maas.EndToEnd.Tests.Security;

/// <summary>One request the fuzz test sends: method, path, content type, body and extra headers.</summary>
public sealed record FuzzRequest(string Method, string Path, string? ContentType, byte[] Body, IReadOnlyList<(string Name, string Value)> Headers, string Mutation)
{
    public HttpRequestMessage ToMessage()
    {
        var message = new HttpRequestMessage(new HttpMethod(Method), Path);
        if (Body.Length > 0 || ContentType is not null)
        {
            message.Content = new ByteArrayContent(Body);
            if (ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }
        }

        foreach (var (name, value) in Headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, value))
            {
                message.Content ??= new ByteArrayContent([]);
                message.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return message;
    }

    public override string ToString()
    {
        var body = Encoding.UTF8.GetString(Body.AsSpan(0, Math.Min(Body.Length, 300)));
        return $"{Method} {Path} [{Mutation}] content-type={ContentType} headers={string.Join(", ", Headers.Select(h => h.Name + ": " + (h.Value.Length > 40 ? h.Value[..40] + "..." : h.Value)))} body({Body.Length})={body}";
    }
}
