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
        var rows = new long[texts.Count][];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = Tokenize(texts[i]);
        }

        return Pad(rows);
    }

    /// <summary>One text as <c>[CLS] tokens… [SEP]</c>, truncated to <see cref="MaxLength"/> ids.</summary>
    public long[] Tokenize(string text)
    {
        var tokens = _tokenizer.EncodeToIds(text, addSpecialTokens: false, considerPreTokenization: true, considerNormalization: true);
        var count = Math.Min(tokens.Count, MaxLength - 2);
        var ids = new long[count + 2];
        ids[0] = _tokenizer.ClassificationTokenId;
        for (var t = 0; t < count; t++)
        {
            ids[1 + t] = tokens[t];
        }

        ids[count + 1] = _tokenizer.SeparatorTokenId;
        return ids;
    }

    /// <summary>Pads tokenised texts (from <see cref="Tokenize"/>) to the longest of them, with the attention mask set
    /// on the real tokens only; the texts of several requests can be padded into one batch this way.</summary>
    public EncodedBatch Pad(IReadOnlyList<long[]> rows)
    {
        var longest = 0;
        var total = 0;
        foreach (var row in rows)
        {
            longest = Math.Max(longest, row.Length);
            total += row.Length;
        }

        var ids = new long[rows.Count * longest];
        var mask = new long[ids.Length];
        if (_tokenizer.PaddingTokenId != 0)
        {
            ids.AsSpan().Fill(_tokenizer.PaddingTokenId);
        }

        for (var i = 0; i < rows.Count; i++)
        {
            var offset = i * longest;
            rows[i].AsSpan().CopyTo(ids.AsSpan(offset));
            mask.AsSpan(offset, rows[i].Length).Fill(1);
        }

        return new EncodedBatch(ids, mask, new long[ids.Length], rows.Count, longest, total);
    }
}

/// <summary>A tokenised batch; <see cref="TokenCount"/> counts real (unpadded) tokens.</summary>
internal sealed record EncodedBatch(long[] InputIds, long[] AttentionMask, long[] TokenTypeIds, int BatchSize, int SequenceLength, int TokenCount);
