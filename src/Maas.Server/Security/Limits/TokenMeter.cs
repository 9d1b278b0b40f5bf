using System.Runtime.CompilerServices;
using System.Text;
using Maas.Serving.Generation;

namespace Maas.Server.Security.Limits;

/// <summary>Charges a generation to its caller's token budget when its response ends, however it ends.</summary>
/// <remarks>A generation that finishes reports its usage on the last chunk; one cut short (client gone, error) is
/// charged its prompt plus the tokens of the text it had produced.</remarks>
internal static class TokenMeter
{
    public static async IAsyncEnumerable<GenerationChunk> ChargeAsync(
        IAsyncEnumerable<GenerationChunk> chunks,
        TokenBudget? budget,
        int promptTokens,
        Func<string, int> countTokens,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (budget is null)
        {
            await foreach (var chunk in chunks.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                yield return chunk;
            }

            yield break;
        }

        GenerationUsage? usage = null;
        var text = new StringBuilder();
        try
        {
            await foreach (var chunk in chunks.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                usage ??= chunk.Usage;
                if (usage is null)
                {
                    text.Append(chunk.Text);
                }

                yield return chunk;
            }
        }
        finally
        {
            // countTokens counts a leading BOS, which generated text does not have.
            var used = usage?.TotalTokens ?? promptTokens + (text.Length == 0 ? 0 : Math.Max(0, countTokens(text.ToString()) - 1));
            budget.Charge(used);
        }
    }
}
