using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Text.Json;
using NNLinearity.Families;
using NNLinearity.Links;

namespace NNLinearity.Layers;

/// <summary>Save and load <see cref="StackedGlm{T}"/> models as JSON (System.Text.Json, no reflection).</summary>
/// <remarks>
/// Numbers are written in their shortest round-trip form, so a loaded model predicts bit for bit what the saved one
/// did. Saving to a path is atomic (a temporary file replaces the target). Loading reads and checks the whole document
/// before building anything: a truncated, corrupt, hostile or mismatched file throws <see cref="InvalidDataException"/>
/// naming the field, and never yields a half-loaded model. Sizes are checked in 64 bits before anything is allocated.
/// Thread safety: the methods are stateless; saving reads the model as any reader does.
/// </remarks>
public static class ModelFile
{
    private const string Format = "NNLinearity.StackedGlm";
    private const int Version = 1;

    /// <summary>Writes a model to a stream.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="model">The model.</param>
    /// <param name="stream">A writable stream (left open).</param>
    /// <exception cref="NotSupportedException">A layer's link or the family is a user type the format cannot name (checked before anything is written).</exception>
    /// <exception cref="InvalidOperationException">Another thread is training the model or setting its parameters.</exception>
    public static void Save<T>(StackedGlm<T> model, Stream stream) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite) throw new ArgumentException("The stream is not writable.", nameof(stream));
        Write(model, Describe(model), stream);
    }

    /// <summary>
    /// Writes a model to a file atomically: the document goes to a temporary file beside the target, which then
    /// replaces it. A failure (a link the format cannot name, a full disk) leaves an existing file untouched.
    /// </summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="model">The model.</param>
    /// <param name="path">The file path (replaced).</param>
    /// <exception cref="NotSupportedException">A layer's link or the family is a user type the format cannot name.</exception>
    /// <exception cref="InvalidOperationException">Another thread is training the model or setting its parameters.</exception>
    public static void Save<T>(StackedGlm<T> model, string path) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Description description = Describe(model);
        string target = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(target) ?? throw new ArgumentException($"'{path}' names no file.", nameof(path));
        string temporary = Path.Combine(directory, "." + Path.GetFileName(target) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            using (var f = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                Write(model, description, f);
                f.Flush(flushToDisk: true);
            }

            File.Move(temporary, target, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>The names the file gives the family and each link, found before anything is written.</summary>
    private sealed record Description(string Family, double? FamilyParameter, (string Name, double? Parameter)[] Links);

    private static Description Describe<T>(StackedGlm<T> model) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        (string familyName, double? familyParameter) = model.Family is null ? ("multinomial", null) : DescribeFamily(model.Family);
        return new Description(familyName, familyParameter, model.Layers.Select(l => DescribeLink(l.Link)).ToArray());
    }

    private static void Write<T>(StackedGlm<T> model, Description description, Stream stream) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        using UsageGuard.ReadScope reading = model.EnterRead();
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("format", Format);
        w.WriteNumber("version", Version);
        w.WriteString("elementType", typeof(T) == typeof(double) ? "double" : "float");
        w.WriteNumber("inputs", model.InputCount);
        w.WriteStartObject("family");
        w.WriteString("name", description.Family);
        if (description.FamilyParameter is double fp) w.WriteNumber("parameter", fp);
        w.WriteEndObject();
        w.WriteStartArray("layers");
        for (int l = 0; l < model.Layers.Count; l++)
        {
            GlmLayer<T> layer = model.Layers[l];
            (string linkName, double? linkParameter) = description.Links[l];
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
        if (model.Encoding is TableEncoding e) WriteEncoding(w, e);
        w.WriteEndObject();
    }

    /// <summary>The table coding of a model made from a formula: everything needed to code new tables as the training one.</summary>
    private static void WriteEncoding(Utf8JsonWriter w, TableEncoding e)
    {
        w.WriteStartObject("encoding");
        w.WriteString("formula", e.Formula);
        WriteStrings(w, "tableColumns", e.TableColumns);
        WriteStrings(w, "inputs", e.InputNames);
        WriteArray<double>(w, "means", e.Means.ToArray());
        WriteArray<double>(w, "scales", e.Scales.ToArray());
        if (e.ResponseLevels is not null) WriteStrings(w, "responseLevels", e.ResponseLevels);
        if (e.Recipe.Options.Weights is string weights) w.WriteString("weightsColumn", weights);
        if (e.Recipe.Options.Offset is string offset) w.WriteString("offsetColumn", offset);
        w.WriteStartArray("factors");
        foreach ((string label, string[] levels) in e.Recipe.Levels)
        {
            w.WriteStartObject();
            w.WriteString("variable", label);
            WriteStrings(w, "levels", levels);
            w.WriteBoolean("ordered", e.Recipe.Ordered[label]);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("poly");
        foreach ((string label, (double[] alpha, double[] norm2)) in e.Recipe.Poly)
        {
            w.WriteStartObject();
            w.WriteString("call", label);
            WriteArray<double>(w, "alpha", alpha);
            WriteArray<double>(w, "norm2", norm2);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        foreach (string v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    private static TableEncoding ReadEncoding(JsonElement e, int inputs)
    {
        const string at = "encoding";
        string formula = Text(e, "formula", at);
        string[] tableColumns = Strings(Field(e, "tableColumns", at, JsonValueKind.Array), at + ".tableColumns");
        string[] names = Strings(Field(e, "inputs", at, JsonValueKind.Array), at + ".inputs");
        if (names.Length != inputs) throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{at}.inputs has {names.Length} names; the model has {inputs} inputs."));
        double[] means = ReadArray<double>(Field(e, "means", at, JsonValueKind.Array), inputs, at + ".means");
        double[] scales = ReadArray<double>(Field(e, "scales", at, JsonValueKind.Array), inputs, at + ".scales");
        for (int j = 0; j < inputs; j++)
        {
            if (!(scales[j] > 0)) throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{at}.scales[{j}] is {scales[j]}; scales must be positive."));
        }

        string[]? responseLevels = e.TryGetProperty("responseLevels", out _) ? Strings(Field(e, "responseLevels", at, JsonValueKind.Array), at + ".responseLevels") : null;
        var frame = new NNLinearity.Formulas.ModelFrameOptions
        {
            Weights = e.TryGetProperty("weightsColumn", out _) ? Text(e, "weightsColumn", at) : null,
            Offset = e.TryGetProperty("offsetColumn", out _) ? Text(e, "offsetColumn", at) : null,
        };
        var recipe = new NNLinearity.Formulas.DesignRecipe(frame, oneHot: true);
        int i = 0;
        foreach (JsonElement f in Field(e, "factors", at, JsonValueKind.Array).EnumerateArray())
        {
            string fat = string.Create(CultureInfo.InvariantCulture, $"{at}.factors[{i++}]");
            if (f.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{fat} is a JSON {Kind(f)}; expected an object.");
            string label = Text(f, "variable", fat);
            recipe.Levels[label] = Strings(Field(f, "levels", fat, JsonValueKind.Array), fat + ".levels");
            if (!f.TryGetProperty("ordered", out JsonElement ordered) || ordered.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) throw new InvalidDataException($"{fat}.ordered is missing or not a boolean.");
            recipe.Ordered[label] = ordered.GetBoolean();
        }

        i = 0;
        foreach (JsonElement pe in Field(e, "poly", at, JsonValueKind.Array).EnumerateArray())
        {
            string pat = string.Create(CultureInfo.InvariantCulture, $"{at}.poly[{i++}]");
            if (pe.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{pat} is a JSON {Kind(pe)}; expected an object.");
            JsonElement alpha = Field(pe, "alpha", pat, JsonValueKind.Array);
            int degree = alpha.GetArrayLength();
            recipe.Poly[Text(pe, "call", pat)] = (ReadArray<double>(alpha, degree, pat + ".alpha"), ReadArray<double>(Field(pe, "norm2", pat, JsonValueKind.Array), degree + 2, pat + ".norm2"));
        }

        NNLinearity.Formulas.ModelTerms terms = Build(at + ".formula", () => NNLinearity.Formulas.Formula.Parse(formula).Expand(tableColumns));
        return new TableEncoding(terms, recipe, tableColumns, names, means, scales, responseLevels);
    }

    private static string[] Strings(JsonElement array, string path)
    {
        var values = new string[array.GetArrayLength()];
        int i = 0;
        foreach (JsonElement v in array.EnumerateArray())
        {
            if (v.ValueKind != JsonValueKind.String) throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{path}[{i}] is a JSON {Kind(v)}; expected a string."));
            values[i++] = v.GetString()!;
        }

        return values;
    }

    /// <summary>Reads a model from a stream.</summary>
    /// <typeparam name="T">The element type the file must hold (float or double).</typeparam>
    /// <param name="stream">A readable stream.</param>
    /// <returns>The model.</returns>
    /// <exception cref="InvalidDataException">
    /// The document is not valid JSON (truncated, corrupt, nested too deeply), is not a model file, holds another
    /// element type, or a field is missing, of the wrong type or out of range; the message names the field by its
    /// JSON path (for example <c>layers[1].outputs</c>) and says what was expected.
    /// </exception>
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
            return Read<T>(doc.RootElement);
        }
    }

    /// <summary>Reads a model from a file.</summary>
    /// <typeparam name="T">The element type the file must hold.</typeparam>
    /// <param name="path">The file path.</param>
    /// <returns>The model.</returns>
    /// <exception cref="InvalidDataException">As <see cref="Load{T}(Stream)"/>.</exception>
    public static StackedGlm<T> Load<T>(string path) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        using FileStream f = File.OpenRead(path);
        return Load<T>(f);
    }

    private static StackedGlm<T> Read<T>(JsonElement root) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (root.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"The document is a JSON {Kind(root)}; a model file is an object with \"format\": \"{Format}\".");
        string format = Text(root, "format", "");
        if (format != Format) throw new InvalidDataException($"format is \"{format}\"; a model file has \"{Format}\".");
        int version = Whole(root, "version", "", 1, int.MaxValue);
        if (version != Version) throw new InvalidDataException($"version is {version}; this library reads version {Version}.");
        string elementType = Text(root, "elementType", "");
        string expected = typeof(T) == typeof(double) ? "double" : "float";
        if (elementType is not ("double" or "float")) throw new InvalidDataException($"elementType is \"{elementType}\"; expected \"double\" or \"float\".");
        if (elementType != expected) throw new InvalidDataException($"The file holds a {elementType} model; a {expected} model was requested.");

        int inputs = Whole(root, "inputs", "", 1, Array.MaxLength);
        JsonElement familyElement = Field(root, "family", "", JsonValueKind.Object);
        string familyName = Text(familyElement, "name", "family");
        double? familyParameter = Optional(familyElement, "parameter", "family");
        GlmFamily? family = familyName == "multinomial" ? null : Build("family", () => FamilyFromName(familyName, familyParameter));

        JsonElement layerArray = Field(root, "layers", "", JsonValueKind.Array);
        if (layerArray.GetArrayLength() == 0) throw new InvalidDataException("layers is empty; a model has at least one layer.");
        var layers = new List<GlmLayer<T>>();
        int width = inputs;
        long total = 0;
        foreach (JsonElement le in layerArray.EnumerateArray())
        {
            string at = string.Create(CultureInfo.InvariantCulture, $"layers[{layers.Count}]");
            if (le.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{at} is a JSON {Kind(le)}; expected an object.");
            int ins = Whole(le, "inputs", at, 1, Array.MaxLength), outs = Whole(le, "outputs", at, 1, Array.MaxLength);
            if (ins != width) throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{at}.inputs is {ins}; the width before it is {width}."));
            long weightCount = (long)ins * outs;
            total += weightCount + outs;
            if (total > Array.MaxLength)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"{at} is {outs} outputs x {ins} inputs: the model would have {total} parameters by this layer; one parameter vector holds at most {Array.MaxLength}."));
            }

            JsonElement linkElement = Field(le, "link", at, JsonValueKind.Object);
            string linkName = Text(linkElement, "name", at + ".link");
            double? linkParameter = Optional(linkElement, "parameter", at + ".link");
            ILinkFunction link = Build(at + ".link", () => LinkFromName(linkName, linkParameter));
            T[] weights = ReadArray<T>(Field(le, "weights", at, JsonValueKind.Array), (int)weightCount, at + ".weights");
            T[] bias = ReadArray<T>(Field(le, "bias", at, JsonValueKind.Array), outs, at + ".bias");
            GlmLayer<T> layer = Build(at, () => GlmLayer.Create<T>(ins, outs, link));
            layer.SetWeights(weights);
            layer.SetBias(bias);
            layers.Add(layer);
            width = outs;
        }

        StackedGlm<T> model = Build("layers", () => family is null ? StackedGlm.FromLayersMultinomial(layers) : StackedGlm.FromLayers(layers, family));
        if (root.TryGetProperty("encoding", out JsonElement encoding))
        {
            if (encoding.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"encoding is a JSON {Kind(encoding)}; expected an object.");
            model.Encoding = ReadEncoding(encoding, inputs);
            if (family is null && model.Encoding.ResponseLevels?.Count != model.OutputCount) throw new InvalidDataException("encoding.responseLevels must name one class per output of a multinomial model.");
        }

        return model;
    }

    /// <summary>
    /// Runs a constructor on values read from the file; its errors become the file's, with the field's path (the
    /// name readers' messages start with the field they refuse: "parameter is missing", "name ... is not").
    /// </summary>
    private static TResult Build<TResult>(string path, Func<TResult> build)
    {
        try
        {
            return build();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}.{e.Message}", e); // the message starts with the field's name
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

    private static JsonElement Field(JsonElement obj, string name, string path, JsonValueKind kind)
    {
        if (!obj.TryGetProperty(name, out JsonElement e)) throw new InvalidDataException($"{Join(path, name)} is missing.");
        if (e.ValueKind != kind)
        {
            string wanted = kind == JsonValueKind.Object ? "an object" : kind == JsonValueKind.Array ? "an array" : kind == JsonValueKind.String ? "a string" : "a number";
            throw new InvalidDataException($"{Join(path, name)} is a JSON {Kind(e)} ({Raw(e)}); expected {wanted}.");
        }

        return e;
    }

    private static string Raw(JsonElement e)
    {
        string raw = e.GetRawText();
        return raw.Length <= 40 ? raw : raw[..37] + "...";
    }

    private static string Text(JsonElement obj, string name, string path) => Field(obj, name, path, JsonValueKind.String).GetString()!;

    private static int Whole(JsonElement obj, string name, string path, int min, int max)
    {
        JsonElement e = Field(obj, name, path, JsonValueKind.Number);
        if (!e.TryGetInt64(out long v) || v < min || v > max)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{Join(path, name)} is {Raw(e)}; expected a whole number from {min} to {max}."));
        }

        return (int)v;
    }

    private static double? Optional(JsonElement obj, string name, string path)
    {
        if (!obj.TryGetProperty(name, out _)) return null;
        JsonElement e = Field(obj, name, path, JsonValueKind.Number);
        if (!e.TryGetDouble(out double v) || !double.IsFinite(v)) throw new InvalidDataException($"{Join(path, name)} is {Raw(e)}; expected a finite number.");
        return v;
    }

    private static T[] ReadArray<T>(JsonElement e, int count, string name) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (e.GetArrayLength() != count) throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{name} has {e.GetArrayLength()} values; {count} are needed."));
        var values = new T[count];
        int i = 0;
        foreach (JsonElement v in e.EnumerateArray())
        {
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out double d))
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{name}[{i}] is a JSON {Kind(v)} ({Raw(v)}); expected a finite number."));
            }

            T t = typeof(T) == typeof(double) ? T.CreateTruncating(d) : T.CreateTruncating(v.GetSingle());
            if (!T.IsFinite(t))
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{name}[{i}] is {Raw(v)}, outside the range of {typeof(T).Name}; parameters must be finite."));
            }

            values[i++] = t;
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

    internal static (string, double?) DescribeFamily(GlmFamily family) => family switch
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
        "negative.binomial" => GlmFamily.NegativeBinomial(parameter ?? throw new InvalidDataException("parameter is missing: the negative binomial family needs its theta.")),
        "tweedie" => GlmFamily.Tweedie(parameter ?? throw new InvalidDataException("parameter is missing: the Tweedie family needs its power.")),
        _ => throw new InvalidDataException($"name \"{name}\" is not a family this library knows (gaussian, binomial, quasibinomial, poisson, quasipoisson, Gamma, inverse.gaussian, negative.binomial, tweedie, multinomial)."),
    };

    internal static (string, double?) DescribeLink(ILinkFunction link) => link switch
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
        "power" => new PowerLink(parameter ?? throw new InvalidDataException("parameter is missing: the power link needs its lambda.")),
        "leaky_relu" => new LeakyReluLink(parameter ?? throw new InvalidDataException("parameter is missing: the leaky ReLU needs its slope.")),
        _ => throw new InvalidDataException($"name \"{name}\" is not a link this library knows (identity, log, logit, probit, cloglog, loglog, cauchit, inverse, 1/mu^2, sqrt, power, tanh, softplus, relu, leaky_relu)."),
    };
}
