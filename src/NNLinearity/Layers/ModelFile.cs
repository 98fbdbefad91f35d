using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Numerics;
using System.Text.Json;
using NNLinearity.Families;
using NNLinearity.Links;

namespace NNLinearity.Layers;

/// <summary>Save and load <see cref="StackedGlm{T}"/> models as JSON (System.Text.Json, no reflection).</summary>
/// <remarks>
/// Numbers are written in their shortest round-trip form, so a loaded model predicts bit for bit what the saved one
/// did. Loading reads and checks the whole document before building anything: a truncated, corrupt or mismatched file
/// throws <see cref="InvalidDataException"/> and never yields a half-loaded model.
/// </remarks>
public static class ModelFile
{
    private const string Format = "NNLinearity.StackedGlm";
    private const int Version = 1;

    /// <summary>Writes a model to a stream.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="model">The model.</param>
    /// <param name="stream">A writable stream (left open).</param>
    /// <exception cref="NotSupportedException">A layer's link or the family is a user type the format cannot name.</exception>
    public static void Save<T>(StackedGlm<T> model, Stream stream) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        (string familyName, double? familyParameter) = model.Family is null ? ("multinomial", null) : DescribeFamily(model.Family);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("format", Format);
        w.WriteNumber("version", Version);
        w.WriteString("elementType", typeof(T) == typeof(double) ? "double" : "float");
        w.WriteNumber("inputs", model.InputCount);
        w.WriteStartObject("family");
        w.WriteString("name", familyName);
        if (familyParameter is double fp) w.WriteNumber("parameter", fp);
        w.WriteEndObject();
        w.WriteStartArray("layers");
        foreach (GlmLayer<T> layer in model.Layers)
        {
            (string linkName, double? linkParameter) = DescribeLink(layer.Link);
            w.WriteStartObject();
            w.WriteNumber("inputs", layer.InputCount);
            w.WriteNumber("outputs", layer.OutputCount);
            w.WriteStartObject("link");
            w.WriteString("name", linkName);
            if (linkParameter is double lp) w.WriteNumber("parameter", lp);
            w.WriteEndObject();
            WriteArray(w, "weights", layer.Weights);
            WriteArray(w, "bias", layer.Bias);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>Writes a model to a file.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="model">The model.</param>
    /// <param name="path">The file path (overwritten).</param>
    public static void Save<T>(StackedGlm<T> model, string path) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        using FileStream f = File.Create(path);
        Save(model, f);
    }

    /// <summary>Reads a model from a stream.</summary>
    /// <typeparam name="T">The element type the file must hold (float or double).</typeparam>
    /// <param name="stream">A readable stream.</param>
    /// <returns>The model.</returns>
    /// <exception cref="InvalidDataException">The document is not valid JSON, is truncated, is not a model file, holds another element type, or its shapes or values do not fit.</exception>
    public static StackedGlm<T> Load<T>(Stream stream) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(stream);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(stream);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The model file is not valid JSON (truncated or corrupt): {e.Message}", e);
        }

        using (doc)
        {
            try
            {
                return Read<T>(doc.RootElement);
            }
            catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or FormatException or ArgumentException)
            {
                throw new InvalidDataException($"The model file does not describe a valid model: {e.Message}", e);
            }
        }
    }

    /// <summary>Reads a model from a file.</summary>
    /// <typeparam name="T">The element type the file must hold.</typeparam>
    /// <param name="path">The file path.</param>
    /// <returns>The model.</returns>
    public static StackedGlm<T> Load<T>(string path) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        using FileStream f = File.OpenRead(path);
        return Load<T>(f);
    }

    private static StackedGlm<T> Read<T>(JsonElement root) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out JsonElement format) || format.GetString() != Format)
        {
            throw new InvalidDataException($"Not an {Format} document.");
        }

        int version = root.GetProperty("version").GetInt32();
        if (version != Version) throw new InvalidDataException($"Model file version {version} is not supported (this library reads version {Version}).");
        string elementType = root.GetProperty("elementType").GetString() ?? "";
        string expected = typeof(T) == typeof(double) ? "double" : "float";
        if (elementType != expected) throw new InvalidDataException($"The file holds a {elementType} model; a {expected} model was requested.");

        int inputs = root.GetProperty("inputs").GetInt32();
        JsonElement familyElement = root.GetProperty("family");
        string familyName = familyElement.GetProperty("name").GetString() ?? "";
        double? familyParameter = familyElement.TryGetProperty("parameter", out JsonElement fp) ? fp.GetDouble() : null;
        GlmFamily? family = familyName == "multinomial" ? null : FamilyFromName(familyName, familyParameter);

        var layers = new List<GlmLayer<T>>();
        int width = inputs;
        foreach (JsonElement le in root.GetProperty("layers").EnumerateArray())
        {
            int ins = le.GetProperty("inputs").GetInt32(), outs = le.GetProperty("outputs").GetInt32();
            if (ins != width) throw new InvalidDataException($"Layer {layers.Count} has {ins} inputs; the previous width is {width}.");
            JsonElement linkElement = le.GetProperty("link");
            ILinkFunction link = LinkFromName(linkElement.GetProperty("name").GetString() ?? "",
                linkElement.TryGetProperty("parameter", out JsonElement lp) ? lp.GetDouble() : null);
            T[] weights = ReadArray<T>(le.GetProperty("weights"), ins * outs, $"layers[{layers.Count}].weights");
            T[] bias = ReadArray<T>(le.GetProperty("bias"), outs, $"layers[{layers.Count}].bias");
            GlmLayer<T> layer = GlmLayer.Create<T>(ins, outs, link);
            layer.SetWeights(weights);
            layer.SetBias(bias);
            layers.Add(layer);
            width = outs;
        }

        if (layers.Count == 0) throw new InvalidDataException("The model file has no layers.");
        return family is null ? StackedGlm.FromLayersMultinomial(layers) : StackedGlm.FromLayers(layers, family);
    }

    private static T[] ReadArray<T>(JsonElement e, int count, string name) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (e.GetArrayLength() != count) throw new InvalidDataException($"{name} has {e.GetArrayLength()} values; {count} are needed.");
        var values = new T[count];
        int i = 0;
        foreach (JsonElement v in e.EnumerateArray())
        {
            values[i++] = typeof(T) == typeof(double) ? T.CreateTruncating(v.GetDouble()) : T.CreateTruncating(v.GetSingle());
        }

        return values;
    }

    private static void WriteArray<T>(Utf8JsonWriter w, string name, ReadOnlySpan<T> values) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        w.WriteStartArray(name);
        foreach (T v in values)
        {
            if (typeof(T) == typeof(double)) w.WriteNumberValue(double.CreateTruncating(v));
            else w.WriteNumberValue(float.CreateTruncating(v));
        }

        w.WriteEndArray();
    }

    private static (string, double?) DescribeFamily(GlmFamily family) => family switch
    {
        NegativeBinomialFamily nb => ("negative.binomial", nb.Theta),
        TweedieFamily t => ("tweedie", t.Power),
        GaussianFamily or BinomialFamily or PoissonFamily or GammaFamily or InverseGaussianFamily => (family.Name, null),
        _ => throw new NotSupportedException($"The family {family.Name} cannot be saved."),
    };

    /// <summary>The family a model file names (R's family names), with its theta or power where it has one.</summary>
    internal static GlmFamily FamilyFromName(string name, double? parameter) => name switch
    {
        "gaussian" => GlmFamily.Gaussian,
        "binomial" => GlmFamily.Binomial,
        "quasibinomial" => GlmFamily.QuasiBinomial,
        "poisson" => GlmFamily.Poisson,
        "quasipoisson" => GlmFamily.QuasiPoisson,
        "Gamma" => GlmFamily.Gamma,
        "inverse.gaussian" => GlmFamily.InverseGaussian,
        "negative.binomial" => GlmFamily.NegativeBinomial(parameter ?? throw new InvalidDataException("The negative binomial family needs its theta.")),
        "tweedie" => GlmFamily.Tweedie(parameter ?? throw new InvalidDataException("The Tweedie family needs its power.")),
        _ => throw new InvalidDataException($"Unknown family '{name}'."),
    };

    private static (string, double?) DescribeLink(ILinkFunction link) => link switch
    {
        PowerLink p => ("power", p.Lambda),
        LeakyReluLink l => ("leaky_relu", l.Alpha),
        IdentityLink or LogLink or LogitLink or ProbitLink or CloglogLink or LogLogLink or CauchitLink or InverseLink
            or InverseSquaredLink or SqrtLink or TanhLink or SoftplusLink or ReluLink => (link.Name, null),
        _ => throw new NotSupportedException($"The link {link.Name} ({link.GetType().Name}) cannot be saved."),
    };

    internal static ILinkFunction LinkFromName(string name, double? parameter) => name switch
    {
        "identity" => new IdentityLink(),
        "log" => new LogLink(),
        "logit" => new LogitLink(),
        "probit" => new ProbitLink(),
        "cloglog" => new CloglogLink(),
        "loglog" => new LogLogLink(),
        "cauchit" => new CauchitLink(),
        "inverse" => new InverseLink(),
        "1/mu^2" => new InverseSquaredLink(),
        "sqrt" => new SqrtLink(),
        "tanh" => new TanhLink(),
        "softplus" => new SoftplusLink(),
        "relu" => new ReluLink(),
        "power" => new PowerLink(parameter ?? throw new InvalidDataException("The power link needs its lambda.")),
        "leaky_relu" => new LeakyReluLink(parameter ?? throw new InvalidDataException("The leaky ReLU needs its slope.")),
        _ => throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"Unknown link '{name}'.")),
    };
}
