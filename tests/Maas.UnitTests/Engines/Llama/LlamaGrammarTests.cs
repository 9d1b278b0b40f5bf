using System.Text;
using Maas.Core.Engines;
using Maas.Core.Grammars;

namespace Maas.UnitTests.Engines.Llama;

public sealed class LlamaGrammarTests(TinyLlamaModelFixture model) : IClassFixture<TinyLlamaModelFixture>
{
    [Theory]
    [InlineData("root ::= \"{\" [a-z]{1,5} \"}\"", 0f)]
    [InlineData("root ::= \"{\" [a-z]{1,5} \"}\"", 1f)]
    [InlineData("root ::= (\"hello\" | \"world\") \" \" [0-9]+ \".\"", 1f)]
    public async Task StepAsync_WithGrammar_GeneratesASentenceOfTheGrammar(string gbnf, float temperature)
    {
        await using var generator = await LlamaTestModels.LoadAsync(model.ModelPath);
        var grammar = GbnfGrammar.Parse(gbnf);
        for (var seed = 0u; seed < 5; seed++)
        {
            using var sequence = generator.StartSequence(generator.Tokenize("hello", true), new SamplingOptions { Temperature = temperature, Seed = seed, Grammar = grammar });
            var bytes = new List<byte>();
            var ids = new List<string>();
            var completed = false;
            for (var i = 0; i < 40 && !completed; i++)
            {
                var token = (await generator.StepAsync([sequence]))[0];
                if (!generator.Info.EndOfGenerationTokens.Contains(token.TokenId))
                {
                    bytes.AddRange(generator.GetTokenBytes(token.TokenId));
                    ids.Add(token.TokenId + ":" + Convert.ToHexString(generator.GetTokenBytes(token.TokenId)));
                }

                completed = token.CompletesGrammar;
            }

            var text = Encoding.UTF8.GetString([.. bytes]);
            Assert.True(completed, text);
            Assert.True(grammar.Matches(text), text + string.Join(' ', ids));
        }
    }
}
