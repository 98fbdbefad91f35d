using System;
using System.IO;
using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using NNLinearity.Families;
using NNLinearity.Layers;
using NNLinearity.Links;

namespace NNLinearity.Tests.Generators;

/// <summary>A model file corrupted in one place, and the JSON path its rejection must name (null: any rejection, for text that is not a document).</summary>
public sealed record HostileFile(string Text, string? Path, string What)
{
    public override string ToString() => $"{What} -> {Path ?? "(not JSON)"}";
}

/// <summary>Generators of bad input: hostile model files, and bad calls of every public entry point.</summary>
public static partial class BadInputArbitraries
{
    /// <summary>The valid model every hostile file is made from.</summary>
    public static readonly StackedGlm<double> ValidModel =
        StackedGlm.Create<double>(3, [new LayerSpec(4, new TanhLink()), new LayerSpec(2, new LeakyReluLink(0.1)), new LayerSpec(1, new LogitLink())], GlmFamily.Binomial, seed: 1);

    public static string ValidModelText()
    {
        using var stream = new MemoryStream();
        ModelFile.Save(ValidModel, stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Every hostile file: a wrong value, a missing field, a bad parameter, truncation or deep nesting.</summary>
    public static Arbitrary<HostileFile> Files()
    {
        string valid = ValidModelText();
        JsonNode Doc() => JsonNode.Parse(valid)!;
        (string Path, Func<JsonNode, JsonNode> Parent, string Key)[] numeric =
        [
            ("version", d => d, "version"),
            ("inputs", d => d, "inputs"),
            // A layer's sizes may be refused for the size of the whole layer (naming the layer) before each field is read.
            ("layers[0]", d => d["layers"]![0]!, "inputs"),
            ("layers[1]", d => d["layers"]![1]!, "outputs"),
            ("layers[2]", d => d["layers"]![2]!, "outputs"),
        ];
        JsonNode?[] badNumbers = [2.5, 3000000000L, -1, 0, "3", null, true, new JsonArray(), new JsonObject(), JsonValue.Create(1e9)];
        (string Path, Func<JsonNode, JsonObject> Parent, string Key)[] fields =
        [
            ("format", d => d.AsObject(), "format"),
            ("version", d => d.AsObject(), "version"),
            ("elementType", d => d.AsObject(), "elementType"),
            ("inputs", d => d.AsObject(), "inputs"),
            ("family", d => d.AsObject(), "family"),
            ("family.name", d => d["family"]!.AsObject(), "name"),
            ("layers", d => d.AsObject(), "layers"),
            ("layers[1].link", d => d["layers"]![1]!.AsObject(), "link"),
            ("layers[1].link.parameter", d => d["layers"]![1]!["link"]!.AsObject(), "parameter"),
            ("layers[0].weights", d => d["layers"]![0]!.AsObject(), "weights"),
            ("layers[2].bias", d => d["layers"]![2]!.AsObject(), "bias"),
            ("layers[0].outputs", d => d["layers"]![0]!.AsObject(), "outputs"),
        ];

        Gen<HostileFile> wrongNumber = from f in Gen.Elements(numeric)
                                       from bad in Gen.Elements(badNumbers)
                                       select Mutate(Doc(), d => f.Parent(d)[f.Key] = bad?.DeepClone(), f.Path, $"{f.Path} {f.Key} = {bad?.ToJsonString() ?? "null"}");
        Gen<HostileFile> missing = Gen.Elements(fields).Select(f => Mutate(Doc(), d => f.Parent(d).Remove(f.Key), f.Path, $"{f.Path} removed"));
        Gen<HostileFile> badWeight = from layer in Gen.Choose(0, 2)
                                     from index in Gen.Choose(0, 1)
                                     from bad in Gen.Elements<JsonNode?>("x", "NaN", null, true, new JsonArray())
                                     let path = $"layers[{layer}].weights[{index}]"
                                     select Mutate(Doc(), d => d["layers"]![layer]!["weights"]![index] = bad?.DeepClone(), path, $"{path} = {bad?.ToJsonString() ?? "null"}");
        Gen<HostileFile> badParameter = Gen.Elements<(string, JsonNode?)>(("layers[1].link", JsonValue.Create("a")), ("layers[1].link", JsonValue.Create(true)), ("family", JsonValue.Create(1)))
            .Select(t => t.Item1 == "family"
                ? Mutate(Doc(), d => { d["family"]!["name"] = "negative.binomial"; d["family"]!["parameter"] = -2.0; }, "family", "negative binomial theta -2")
                : Mutate(Doc(), d => d["layers"]![1]!["link"]!["parameter"] = t.Item2?.DeepClone(), "layers[1].link.parameter", "leaky ReLU slope not a number"));
        Gen<HostileFile> names = Gen.Elements(
            Mutate(Doc(), d => d["family"]!["name"] = "bernoulli", "family", "unknown family"),
            Mutate(Doc(), d => d["layers"]![0]!["link"]!["name"] = "swish", "layers[0].link", "unknown link"),
            Mutate(Doc(), d => d["elementType"] = "half", "elementType", "unknown element type"),
            Mutate(Doc(), d => d["layers"] = new JsonArray(), "layers", "no layers"),
            Mutate(Doc(), d => d["layers"]![1] = 7, "layers[1]", "a layer that is a number"));
        Gen<HostileFile> huge = Gen.Elements(
            Mutate(Doc(), d => { d["inputs"] = 65536; d["layers"] = new JsonArray(new JsonObject { ["inputs"] = 65536, ["outputs"] = 65536, ["link"] = new JsonObject { ["name"] = "logit" }, ["weights"] = new JsonArray(), ["bias"] = new JsonArray() }); }, "layers[0]", "65536 x 65536, no weights"),
            Mutate(Doc(), d => { d["inputs"] = 1000000000; d["layers"]![0]!["inputs"] = 1000000000; d["layers"]![0]!["outputs"] = 1000000000; }, "layers[0]", "1e9 x 1e9"),
            Mutate(Doc(), d => d["layers"]![0]!["outputs"] = 5, "layers[0].weights", "outputs not matching the weights"));
        Gen<HostileFile> truncated = Gen.Choose(0, valid.Length - 2).Select(n => new HostileFile(valid[..n], null, $"truncated to {n} characters"));
        Gen<HostileFile> nested = Gen.Choose(65, 5000).Select(depth => new HostileFile(
            valid.Replace("\"layers\":", "\"deep\": " + new string('[', depth) + new string(']', depth) + ", \"layers\":", StringComparison.Ordinal), null, $"{depth} nested arrays"));
        return Gen.OneOf(wrongNumber, missing, badWeight, badParameter, names, huge, truncated, nested).ToArbitrary();
    }

    private static HostileFile Mutate(JsonNode doc, Action<JsonNode> change, string path, string what)
    {
        change(doc);
        return new HostileFile(doc.ToJsonString(), path, what);
    }

}
