using Maas.Core.Errors;
using Maas.Serving.Processing;

namespace Maas.UnitTests.Serving;

public sealed class WordPieceEncoderTests
{
    private const long Cls = 101;
    private const long Sep = 102;

    [Fact]
    public void Encode_Batch_PadsToLongestAndMasksPadding()
    {
        var encoder = new WordPieceEncoder(MiniLmVocabulary.Path, lowerCase: true, maxLength: 16);

        var batch = encoder.Encode(["hello world", "hello"]);

        Assert.Equal(2, batch.BatchSize);
        Assert.Equal(4, batch.SequenceLength);
        Assert.Equal([Cls, 7592, 2088, Sep, Cls, 7592, Sep, 0], batch.InputIds);
        Assert.Equal([1L, 1, 1, 1, 1, 1, 1, 0], batch.AttentionMask);
        Assert.All(batch.TokenTypeIds, t => Assert.Equal(0, t));
        Assert.Equal(7, batch.TokenCount);
    }

    [Fact]
    public void Encode_LongText_TruncatesToMaxLengthKeepingSeparator()
    {
        var encoder = new WordPieceEncoder(MiniLmVocabulary.Path, lowerCase: true, maxLength: 5);

        var batch = encoder.Encode([string.Join(' ', Enumerable.Repeat("hello", 50))]);

        Assert.Equal(5, batch.SequenceLength);
        Assert.Equal(Cls, batch.InputIds[0]);
        Assert.Equal(Sep, batch.InputIds[4]);
    }

    [Fact]
    public void Encode_AccentedUppercase_MatchesPlainLowercase()
    {
        var encoder = new WordPieceEncoder(MiniLmVocabulary.Path, lowerCase: true, maxLength: 16);

        var accented = encoder.Encode(["Ünïcödé TËXT"]);
        var plain = encoder.Encode(["unicode text"]);

        Assert.Equal(plain.InputIds, accented.InputIds);
        Assert.DoesNotContain(100L, accented.InputIds);
    }

    [Theory]
    [InlineData("S3 bucket", new long[] { Cls, 1055, 2509, 13610, Sep })] // "s3" is not a word: s ##3
    [InlineData("MP3", new long[] { Cls, 23378, Sep })] // "mp3" is one
    [InlineData("v2", new long[] { Cls, 1058, 2475, Sep })]
    public void Encode_LettersAndDigits_SplitsAsBertWordPiece(string text, long[] expected)
    {
        // Greedy longest match from the start of each word, with "##" continuations: what BERT's reference
        // tokenizer gives for a word that mixes letters and digits (ids are lines of vocab.txt, from 0).
        var encoder = new WordPieceEncoder(MiniLmVocabulary.Path, lowerCase: true, maxLength: 16);

        Assert.Equal(expected, encoder.Encode([text]).InputIds);
    }

    [Fact]
    public void Create_MaxLengthBelowThree_Throws()
    {
        var ex = Assert.Throws<MaasException>(() => new WordPieceEncoder(MiniLmVocabulary.Path, lowerCase: true, maxLength: 2));
        Assert.Equal(MaasErrorKind.InvalidArgument, ex.Kind);
    }
}
