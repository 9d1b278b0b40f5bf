using System.Text.Json;
using Maas.Core.Errors;
using Maas.Core.Grammars;

namespace Maas.UnitTests.Core.Grammars;

public sealed class JsonSchemaGrammarTests
{
    private const string Nested = """
        {
          "type": "object",
          "properties": {
            "name": {"type": "string", "maxLength": 6},
            "kind": {"enum": ["cat", "dog", 3, null]},
            "pets": {"type": "array", "items": {"$ref": "#/$defs/pet"}, "minItems": 1, "maxItems": 2},
            "age": {"type": "integer"},
            "ok": {"type": "boolean"}
          },
          "required": ["name", "kind", "pets"],
          "additionalProperties": false,
          "$defs": {
            "pet": {
              "type": "object",
              "properties": {"w": {"type": ["number", "null"]}, "tag": {"const": "x"}},
              "required": ["w"],
              "additionalProperties": false
            }
          }
        }
        """;

    [Theory]
    [InlineData("""{"name":"ab","kind":"cat","pets":[{"w":1.5}]}""", true)]
    [InlineData("""{ "name": "", "kind": 3, "pets": [ {"w": null, "tag": "x"}, {"w":-3e10} ], "age": -12, "ok": true}""", true)]
    [InlineData("""{"name":"ab","kind":null,"pets":[{"w":0}],"ok":false}""", true)]
    [InlineData("""{"name":"abcdefg","kind":"cat","pets":[{"w":1}]}""", false)]
    [InlineData("""{"name":"ab","kind":"cow","pets":[{"w":1}]}""", false)]
    [InlineData("""{"name":"ab","kind":"cat","pets":[]}""", false)]
    [InlineData("""{"name":"ab","kind":"cat","pets":[{"w":1},{"w":1},{"w":1}]}""", false)]
    [InlineData("""{"name":"ab","kind":"cat"}""", false)]
    [InlineData("""{"name":"ab","kind":"cat","pets":[{"w":1}],"extra":1}""", false)]
    [InlineData("""{"name":"ab","kind":"cat","pets":[{"w":1}],"age":1.5}""", false)]
    [InlineData("""{"name":"ab","kind":"cat","pets":[{"w":01}]}""", false)]
    [InlineData("""{"name":"ab","kind":"cat","pets":[{"tag":"x"}]}""", false)]
    [InlineData("""{"name":"a\"b","kind":"cat","pets":[{"w":1}]}""", true)]
    [InlineData("""{"name":"a"b","kind":"cat","pets":[{"w":1}]}""", false)]
    public void ToGbnf_NestedSchema_AcceptsValidAndRejectsInvalid(string json, bool expected)
    {
        var grammar = GbnfGrammar.Parse(JsonSchemaGrammar.ToGbnf(Parse(Nested)));

        Assert.Equal(expected, grammar.Matches(json));
    }

    [Theory]
    [InlineData("""{"type":"string"}""", "\"h\\u00e9llo\\n\"", true)]
    [InlineData("""{"type":"string","minLength":2,"maxLength":3}""", "\"a\"", false)]
    [InlineData("""{"type":"string","minLength":2,"maxLength":3}""", "\"ab\"", true)]
    [InlineData("""{"type":"number"}""", "-0.25e+3", true)]
    [InlineData("""{"type":"number"}""", "1.", false)]
    [InlineData("""{"type":"integer"}""", "-7", true)]
    [InlineData("""{"type":"boolean"}""", "false", true)]
    [InlineData("""{"type":"null"}""", "null", true)]
    [InlineData("""{"anyOf":[{"type":"integer"},{"type":"string","maxLength":1}]}""", "\"a\"", true)]
    [InlineData("""{"anyOf":[{"type":"integer"},{"type":"string","maxLength":1}]}""", "true", false)]
    [InlineData("""{"type":"array","items":{"type":"integer"}}""", "[]", true)]
    [InlineData("""{"type":"array","items":{"type":"integer"}}""", "[1, 2,3]", true)]
    [InlineData("""{"type":"array","items":{"type":"integer"},"minItems":2}""", "[1]", false)]
    [InlineData("""{"type":"array","maxItems":0}""", "[]", true)]
    [InlineData("""{"type":"object"}""", """{"any": [1, {"x": null}]}""", true)]
    [InlineData("""{}""", "[\"anything\", 1, {}]", true)]
    [InlineData("""{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"}}}""", "{}", true)]
    [InlineData("""{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"}}}""", """{"b":1}""", true)]
    [InlineData("""{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"}}}""", """{"b":1,"a":2}""", false)]
    [InlineData("""{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"}}}""", """{,"b":1}""", false)]
    [InlineData("""{"$ref":"#/definitions/n","definitions":{"n":{"type":"object","properties":{"next":{"$ref":"#/definitions/n"}}}}}""", """{"next":{"next":{}}}""", true)]
    [InlineData("""{"type":"object","properties":{"kids":{"type":"array","items":{"$ref":"#"}}}}""", """{"kids":[{"kids":[]},{}]}""", true)]
    [InlineData("""{"const":{"a":[1,"é"]}}""", """{"a":[1,"é"]}""", true)]
    public void ToGbnf_Feature_AcceptsExactlyValidJson(string schema, string json, bool expected)
    {
        var grammar = GbnfGrammar.Parse(JsonSchemaGrammar.ToGbnf(Parse(schema)));

        Assert.Equal(expected, grammar.Matches(json));
    }

    [Theory]
    [InlineData("""{"type":"string","pattern":"^a+$"}""", "'pattern'")]
    [InlineData("""{"type":"string","format":"date"}""", "'format'")]
    [InlineData("""{"type":"integer","minimum":0}""", "'minimum'")]
    [InlineData("""{"oneOf":[{"type":"string"}]}""", "'oneOf'")]
    [InlineData("""{"if":{"type":"string"},"then":{"maxLength":2}}""", "'if'")]
    [InlineData("""{"type":"object","patternProperties":{"^x":{}}}""", "'patternProperties'")]
    [InlineData("""{"allOf":[{"type":"string"},{"type":"integer"}]}""", "'allOf'")]
    [InlineData("""{"type":"array","prefixItems":[{"type":"string"}]}""", "'prefixItems'")]
    [InlineData("""{"$ref":"https://example.com/s.json"}""", "'$ref'")]
    [InlineData("""{"type":"array","maxItems":5000}""", "maxItems")]
    public void ToGbnf_UnsupportedKeyword_ThrowsNamingIt(string schema, string keyword)
    {
        var error = Assert.Throws<MaasException>(() => JsonSchemaGrammar.ToGbnf(Parse(schema)));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(keyword, error.Message, StringComparison.Ordinal);
        Assert.Contains("supported", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"type":"strin"}""", "unknown type")]
    [InlineData("""{"type":3}""", "'type'")]
    [InlineData("""{"type":"object","properties":{"a":{}},"required":["b"]}""", "'b'")]
    [InlineData("""{"type":"object","properties":[]}""", "'properties'")]
    [InlineData("""{"enum":[]}""", "'enum'")]
    [InlineData("""{"type":"integer","enum":["a"]}""", "'enum'")]
    [InlineData("""{"type":"array","minItems":3,"maxItems":2}""", "'maxItems'")]
    [InlineData("""{"type":"array","minItems":-1}""", "'minItems'")]
    [InlineData("""{"$ref":"#/$defs/missing"}""", "points at nothing")]
    [InlineData("""false""", "false")]
    [InlineData("""[]""", "schema must be an object")]
    public void ToGbnf_InvalidSchema_ThrowsInvalidArgument(string schema, string expected)
    {
        var error = Assert.Throws<MaasException>(() => JsonSchemaGrammar.ToGbnf(Parse(schema)));

        Assert.Equal(MaasErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToGbnfRules_TwoSchemasWithPrefixes_CombineIntoOneGrammar()
    {
        var weather = JsonSchemaGrammar.ToGbnfRules(Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""), "tool-0");
        var add = JsonSchemaGrammar.ToGbnfRules(Parse("""{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]}"""), "tool-1");
        var gbnf = "root ::= " + JsonSchemaGrammar.Literal("<tool_call>\n") + " ( tool-0 | tool-1 ) " + JsonSchemaGrammar.Literal("\n</tool_call>") + "\n" + weather + add;

        var grammar = GbnfGrammar.Parse(gbnf);

        Assert.True(grammar.Matches("<tool_call>\n{\"city\": \"Oslo\"}\n</tool_call>"));
        Assert.True(grammar.Matches("<tool_call>\n{\"a\": 2}\n</tool_call>"));
        Assert.False(grammar.Matches("<tool_call>\n{\"a\": \"2\"}\n</tool_call>"));
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
