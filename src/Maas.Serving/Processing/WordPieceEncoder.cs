using Maas.Core.Errors;
using Microsoft.ML.Tokenizers;

namespace Maas.Serving.Processing;

/// <summary>BERT WordPiece tokenisation of a batch into padded <c>input_ids</c>, <c>attention_mask</c> and <c>token_type_ids</c>.</summary>
/// <remarks>
/// Each text becomes <c>[CLS] tokens… [SEP]</c>, truncated to <see cref="MaxLength"/> tokens in all; the batch is
/// padded with the pad id to its longest member only (padding within a request keeps short batches cheap).
/// </remarks>
internal sealed class WordPieceEncoder
{
    private readonly BertTokenizer _tokenizer;

    public WordPieceEncoder(string vocabPath, bool lowerCase, int maxLength)
    {
        if (maxLength < 3)
        {
            throw MaasException.InvalidArgument("wordpiece max_length must be at least 3 ([CLS], one token, [SEP]).");
        }

        try
        {
            _tokenizer = BertTokenizer.Create(vocabPath, new BertOptions { LowerCaseBeforeTokenization = lowerCase, RemoveNonSpacingMarks = lowerCase });
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException or FormatException)
        {
            throw MaasException.InvalidArgument($"The WordPiece vocabulary could not be read: {ex.Message}");
        }

        MaxLength = maxLength;
    }

    public int MaxLength { get; }

    /// <summary>Encodes <paramref name="texts"/>; the arrays are row-major <c>[texts.Count, SequenceLength]</c>.</summary>
    public EncodedBatch Encode(IReadOnlyList<string> texts)
    {
        var rows = new IReadOnlyList<int>[texts.Count];
        var longest = 0;
        var total = 0;
        for (var i = 0; i < texts.Count; i++)
        {
            rows[i] = _tokenizer.EncodeToIds(texts[i], addSpecialTokens: false, considerPreTokenization: true, considerNormalization: true);
            var length = Math.Min(rows[i].Count, MaxLength - 2) + 2;
            longest = Math.Max(longest, length);
            total += length;
        }

        var ids = new long[texts.Count * longest];
        var mask = new long[ids.Length];
        if (_tokenizer.PaddingTokenId != 0)
        {
            ids.AsSpan().Fill(_tokenizer.PaddingTokenId);
        }

        for (var i = 0; i < rows.Length; i++)
        {
            var offset = i * longest;
            var count = Math.Min(rows[i].Count, MaxLength - 2);
            ids[offset] = _tokenizer.ClassificationTokenId;
            for (var t = 0; t < count; t++)
            {
                ids[offset + 1 + t] = rows[i][t];
            }

            ids[offset + 1 + count] = _tokenizer.SeparatorTokenId;
            mask.AsSpan(offset, count + 2).Fill(1);
        }

        return new EncodedBatch(ids, mask, new long[ids.Length], texts.Count, longest, total);
    }
}

/// <summary>A tokenised batch; <see cref="TokenCount"/> counts real (unpadded) tokens.</summary>
internal sealed record EncodedBatch(long[] InputIds, long[] AttentionMask, long[] TokenTypeIds, int BatchSize, int SequenceLength, int TokenCount);
