using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NNLinearity.Glm;
using NNLinearity.Data;
using NNLinearity.Formulas;
using NNLinearity.Layers;
using NNLinearity.Links;

namespace NNLinearity.Linearity;

/// <summary>A one-layer network seen as a GLM: the IRLS fit of the same model, and how far the network's parameters are from it.</summary>
/// <remarks>Thread safety: immutable once returned; safe to share across threads.</remarks>
public sealed class GlmConversion
{
    internal GlmConversion(GlmFit fit, double[] networkCoefficients, double maxRelativeDifference)
    {
        Fit = fit;
        NetworkCoefficients = networkCoefficients;
        MaxRelativeDifference = maxRelativeDifference;
    }

    /// <summary>The GLM (R-style inference: standard errors, p-values, deviance, AIC), fitted by IRLS from the network's parameters.</summary>
    public GlmFit Fit { get; }

    /// <summary>The network's parameters in the GLM's coefficient order: intercept (the bias) first, then the weights.</summary>
    public IReadOnlyList<double> NetworkCoefficients { get; }

    /// <summary>
    /// max_j |beta_net - beta_glm| / max(|beta_glm|, 1): 0 to rounding when the network was trained to convergence, larger
    /// when training stopped early (then the GLM's inference is at the maximum-likelihood point, not the network's).
    /// </summary>
    public double MaxRelativeDifference { get; }
}

/// <summary>Conversions between one-layer networks and GLMs: one layer with a response family on its output is a GLM.</summary>
/// <remarks>Thread safety: stateless; concurrent calls are safe, and each reads its model or fit as any reader does.</remarks>
public static class GlmBridge
{
    /// <summary>
    /// The GLM of a one-layer, one-output network created from a formula, on a table, in R's coding: the formula's
    /// model matrix with R's contrasts and column names (the network's one-hot, standardised inputs span the same
    /// columns). The network's linear predictor is expressed in those columns by least squares (exact when the network
    /// is one layer: the same column space), IRLS starts there with the network's prior weights and offset, and the gap
    /// says how far the network's parameters were from the maximum.
    /// </summary>
    /// <param name="model">A one-layer model with one output and a family, created from a formula.</param>
    /// <param name="data">The table (rows with a missing value are left out).</param>
    /// <returns>The GLM, the network's coefficients in R's coding, and the gap between them.</returns>
    /// <exception cref="ArgumentException">The model was not created from a formula, or is not one layer with one output.</exception>
    public static GlmConversion ToGlm(StackedGlm<double> model, DataTable data)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        TableEncoding e = model.Encoding ?? throw new ArgumentException("The model was not created from a formula; convert it with the matrix overload.", nameof(model));
        if (model.Layers.Count != 1 || model.OutputCount != 1 || model.Family is null) throw new ArgumentException("Only a one-layer model with one output and a family is a GLM.", nameof(model));
        ModelFrameOptions frame = e.Recipe.Options with { MissingValues = MissingValueAction.Omit };
        ModelDesign r = ModelDesign.Build(e.Terms.Formula, data, frame);
        (double[] x, _, _, _, int rows) = e.Encode<double>(data, withResponse: true, 1);
        double[] eta = model.Predict(x, rows).Eta.ToArray(); // without the offset: the part the coefficients carry
        var design = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(r.RowCount, r.ColumnCount, (i, j) => r.Matrix[i * r.ColumnCount + j]);
        double[] start = design.QR().Solve(MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(eta)).ToArray();
        bool usable = start.All(double.IsFinite) && design.Rank() == r.ColumnCount;
        GlmFit fit = Glm.Glm.FitDesign(r, model.Family, model.OutputLink, new GlmOptions { Start = usable ? start : null, Epsilon = 1e-12, MaxIterations = 100 });
        fit.Design = r;
        double gap = double.NaN;
        if (usable)
        {
            gap = 0;
            for (int j = 0; j < start.Length; j++)
            {
                double b = fit.Coefficients[j];
                if (!double.IsNaN(b)) gap = Math.Max(gap, Math.Abs(start[j] - b) / Math.Max(Math.Abs(b), 1));
            }
        }

        return new GlmConversion(fit, usable ? start : Enumerable.Repeat(double.NaN, r.ColumnCount).ToArray(), gap);
    }

    /// <summary>The GLM of a one-layer, one-output network, on a MathNet matrix and vector (see the array overload).</summary>
    /// <param name="model">A one-layer model with one output and a family.</param>
    /// <param name="x">The predictors [rows, inputs].</param>
    /// <param name="y">The responses.</param>
    /// <param name="columnNames">Names of the inputs (x1, x2, ... when null).</param>
    /// <returns>The GLM and the gap to the network's parameters.</returns>
    public static GlmConversion ToGlm(StackedGlm<double> model, MathNet.Numerics.LinearAlgebra.Matrix<double> x, MathNet.Numerics.LinearAlgebra.Vector<double> y, IReadOnlyList<string>? columnNames = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return ToGlm(model, x.ToArray(), y.ToArray(), columnNames, null, null);
    }

    /// <summary>
    /// The GLM of a one-layer, one-output network: the same family, link and linear predictor eta = b + X w, fitted
    /// by IRLS starting from the network's parameters (to a relative deviance change of 1e-12, tighter than R's 1e-8,
    /// so that the fit moves no further than the maximum). A network trained to convergence is already at the GLM's
    /// maximum; the fit then moves it by rounding only (see <see cref="GlmConversion.MaxRelativeDifference"/>) and adds
    /// R's inference.
    /// </summary>
    /// <param name="model">A one-layer model with one output and a family.</param>
    /// <param name="x">The predictors [rows, inputs].</param>
    /// <param name="y">The responses.</param>
    /// <param name="columnNames">Names of the inputs (x1, x2, ... when null).</param>
    /// <param name="weights">The prior weights the network was trained with (null: all 1).</param>
    /// <param name="offset">The offset on its linear predictor (null: none).</param>
    /// <returns>The GLM and the gap to the network's parameters.</returns>
    /// <exception cref="ArgumentException">The model has more than one layer or output, or is multinomial.</exception>
    public static GlmConversion ToGlm(StackedGlm<double> model, double[,] x, IReadOnlyList<double> y, IReadOnlyList<string>? columnNames = null,
        IReadOnlyList<double>? weights = null, IReadOnlyList<double>? offset = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(x);
        if (model.Layers.Count != 1) throw new ArgumentException($"The model has {model.Layers.Count} layers; only a one-layer model is a GLM (collapse an affine stack first).", nameof(model));
        if (model.OutputCount != 1) throw new ArgumentException($"The model has {model.OutputCount} outputs; a GLM has one (convert each output's column separately).", nameof(model));
        if (model.Family is null) throw new ArgumentException("A multinomial model is not a single GLM.", nameof(model));
        if (x.GetLength(1) != model.InputCount) throw new ArgumentException($"x has {x.GetLength(1)} columns; the model has {model.InputCount} inputs.", nameof(x));
        GlmLayer<double> layer = model.Layers[0];
        double[] start = new double[layer.InputCount + 1];
        using (model.EnterRead())
        {
            start[0] = layer.Bias[0];
            layer.Weights.CopyTo(start.AsSpan(1));
        }

        GlmFit fit;
        try
        {
            fit = Glm.Glm.Fit(x, y, model.Family, layer.Link, new GlmOptions { Start = start, ColumnNames = columnNames, Epsilon = 1e-12, MaxIterations = 100, Weights = weights, Offset = offset });
        }
        catch (GlmFitException)
        {
            // The network's eta leaves the link's domain at some row (a sqrt link's eta below 0, say: the network
            // still has mu = eta^2 there, the GLM does not). IRLS then starts from R's mustart instead; the gap says how far apart they are.
            fit = Glm.Glm.Fit(x, y, model.Family, layer.Link, new GlmOptions { ColumnNames = columnNames, Epsilon = 1e-12, MaxIterations = 100, Weights = weights, Offset = offset });
        }

        double gap = 0;
        for (int j = 0; j < start.Length; j++)
        {
            double b = fit.Coefficients[j];
            if (double.IsNaN(b)) continue; // aliased
            gap = Math.Max(gap, Math.Abs(start[j] - b) / Math.Max(Math.Abs(b), 1));
        }

        return new GlmConversion(fit, start, gap);
    }

    /// <summary>
    /// One GLM per output of a one-layer network (float or double; a float network is converted through double): output
    /// j is the GLM of column j of <paramref name="y"/> with the network's family and output link, its prior weights and
    /// the offset's column j.
    /// </summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="model">A one-layer model with a family (not multinomial).</param>
    /// <param name="x">The predictors [rows, inputs].</param>
    /// <param name="y">The responses [rows, outputs].</param>
    /// <param name="columnNames">Names of the inputs (x1, x2, ... when null).</param>
    /// <param name="weights">Prior weights, one per row (null: all 1).</param>
    /// <param name="offset">Offsets [rows, outputs] (null: none).</param>
    /// <returns>One conversion per output, in order.</returns>
    /// <exception cref="ArgumentException">The model has more than one layer or is multinomial, or the shapes disagree.</exception>
    public static IReadOnlyList<GlmConversion> ToGlms<T>(StackedGlm<T> model, T[,] x, T[,] y, IReadOnlyList<string>? columnNames = null,
        IReadOnlyList<double>? weights = null, T[,]? offset = null) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (model.Layers.Count != 1) throw new ArgumentException($"The model has {model.Layers.Count} layers; only a one-layer model is a bank of GLMs.", nameof(model));
        if (model.Family is null) throw new ArgumentException("A multinomial model is not a bank of GLMs.", nameof(model));
        int n = x.GetLength(0), p = x.GetLength(1), k = model.OutputCount;
        if (y.GetLength(0) != n || y.GetLength(1) != k) throw new ArgumentException($"y must be [{n}, {k}].", nameof(y));
        if (offset is not null && (offset.GetLength(0) != n || offset.GetLength(1) != k)) throw new ArgumentException($"offset must be [{n}, {k}].", nameof(offset));
        var xd = new double[n, p];
        for (int i = 0; i < n; i++) for (int j = 0; j < p; j++) xd[i, j] = double.CreateTruncating(x[i, j]);
        GlmLayer<T> layer = model.Layers[0];
        var conversions = new GlmConversion[k];
        for (int o = 0; o < k; o++)
        {
            var single = GlmLayer.Create<double>(p, 1, layer.Link);
            var theta = new double[p + 1];
            using (model.EnterRead())
            {
                for (int j = 0; j < p; j++) theta[j] = double.CreateTruncating(layer.Weights[o * p + j]);
                theta[p] = double.CreateTruncating(layer.Bias[o]);
            }

            single.SetParameters(theta);
            double[] yo = Enumerable.Range(0, n).Select(i => double.CreateTruncating(y[i, o])).ToArray();
            double[]? oo = offset is null ? null : Enumerable.Range(0, n).Select(i => double.CreateTruncating(offset[i, o])).ToArray();
            conversions[o] = ToGlm(StackedGlm.FromLayers([single], model.Family), xd, yo, columnNames, weights, oo);
        }

        return conversions;
    }

    /// <summary>
    /// Refits the output layer of a trained one-output network as a GLM on its last hidden features (the output layer's
    /// inputs, named h1, h2, ...), with the network's family, output link, prior weights and offset, and by default
    /// writes the fitted coefficients back into the output layer. The fit carries R's inference, with a caveat: the
    /// features were learned from the same data, so the standard errors treat as fixed what was estimated, and are
    /// too small by an amount this does not measure.
    /// </summary>
    /// <param name="model">A trained model with one output and a family.</param>
    /// <param name="x">The predictors [rows, inputs].</param>
    /// <param name="y">The responses.</param>
    /// <param name="weights">Prior weights (null: all 1).</param>
    /// <param name="offset">Offsets (null: none).</param>
    /// <param name="apply">Write the fitted coefficients into the output layer (true by default).</param>
    /// <returns>The output layer's GLM.</returns>
    /// <exception cref="ArgumentException">The model is multinomial or has more than one output.</exception>
    public static GlmFit RefitOutputLayer(StackedGlm<double> model, double[,] x, IReadOnlyList<double> y, IReadOnlyList<double>? weights = null,
        IReadOnlyList<double>? offset = null, bool apply = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (model.Family is null || model.OutputCount != 1) throw new ArgumentException("Only an output with one unit and a family is a GLM.", nameof(model));
        if (x.GetLength(1) != model.InputCount) throw new ArgumentException($"x has {x.GetLength(1)} columns; the model has {model.InputCount} inputs.", nameof(x));
        int n = x.GetLength(0), units = model.Layers[^1].InputCount;
        double[] h = model.LastHiddenFeatures(Matrices.AsSpan(x), n);
        GlmLayer<double> output = model.Layers[^1];
        var start = new double[units + 1];
        using (model.EnterRead())
        {
            start[0] = output.Bias[0];
            output.Weights.CopyTo(start.AsSpan(1));
        }

        GlmFit fit = Glm.Glm.Fit(h, n, units, y, model.Family, output.Link, new GlmOptions
        {
            ColumnNames = Enumerable.Range(1, units).Select(j => "h" + j.ToString(CultureInfo.InvariantCulture)).ToArray(),
            Weights = weights,
            Offset = offset,
            Start = start,
        });
        if (apply)
        {
            output.SetWeights(Enumerable.Range(1, units).Select(j => double.IsNaN(fit.Coefficients[j]) ? 0 : fit.Coefficients[j]).ToArray());
            output.SetBias([fit.Coefficients[0]]);
        }

        return fit;
    }

    /// <summary>
    /// The multinomial GLM of a one-layer softmax network: the network's K rows of weights and biases, taken relative to
    /// class 0's (softmax is unchanged by a common shift), start Newton's method on the same likelihood; the gap says how
    /// far the network was from the maximum.
    /// </summary>
    /// <param name="model">A one-layer multinomial model.</param>
    /// <param name="x">The predictors [rows, inputs].</param>
    /// <param name="classes">Each row's class, in [0, outputs).</param>
    /// <param name="classNames">The classes' names (class 0 is the reference); null for c1, c2, ...</param>
    /// <param name="columnNames">The inputs' names; null for x1, x2, ...</param>
    /// <param name="weights">Prior weights (null: all 1).</param>
    /// <returns>The fit, the network's coefficients in the baseline parametrisation (class by class), and the gap.</returns>
    /// <exception cref="ArgumentException">The model is not a one-layer multinomial model, or the shapes disagree.</exception>
    public static (MultinomialFit Fit, IReadOnlyList<double> NetworkCoefficients, double MaxRelativeDifference) ToMultinomialGlm(StackedGlm<double> model, double[,] x,
        IReadOnlyList<int> classes, IReadOnlyList<string>? classNames = null, IReadOnlyList<string>? columnNames = null, IReadOnlyList<double>? weights = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(classes);
        if (!model.IsMultinomial || model.Layers.Count != 1) throw new ArgumentException("Only a one-layer multinomial (softmax) model is a multinomial GLM.", nameof(model));
        int k = model.OutputCount, inputs = model.InputCount, n = x.GetLength(0), p = inputs + 1;
        if (x.GetLength(1) != inputs) throw new ArgumentException($"x has {x.GetLength(1)} columns; the model has {inputs} inputs.", nameof(x));
        double[] theta;
        using (model.EnterRead()) theta = model.GetParameters();
        // Network layout: W [k, inputs] row-major, then b [k]. Baseline: class c's (b, w) minus class 0's.
        var start = new double[(k - 1) * p];
        for (int c = 1; c < k; c++)
        {
            start[(c - 1) * p] = theta[k * inputs + c] - theta[k * inputs];
            for (int j = 0; j < inputs; j++) start[(c - 1) * p + 1 + j] = theta[c * inputs + j] - theta[j];
        }

        var design = new double[n * p];
        for (int i = 0; i < n; i++)
        {
            design[i * p] = 1;
            for (int j = 0; j < inputs; j++) design[i * p + 1 + j] = x[i, j];
        }

        string[] names = Enumerable.Repeat("(Intercept)", 1).Concat(columnNames ?? Enumerable.Range(1, inputs).Select(j => "x" + j.ToString(CultureInfo.InvariantCulture))).ToArray();
        string[] cls = classNames?.ToArray() ?? Enumerable.Range(1, k).Select(c => "c" + c.ToString(CultureInfo.InvariantCulture)).ToArray();
        if (cls.Length != k) throw new ArgumentException($"classNames has {cls.Length} names; the model has {k} classes.", nameof(classNames));
        if (classes.Count != n) throw new ArgumentException($"classes has {classes.Count} values but x has {n} rows.", nameof(classes));
        double[] w = weights?.ToArray() ?? Enumerable.Repeat(1.0, n).ToArray();
        MultinomialFit fit = MultinomialGlm.Newton(design, n, p, classes.ToArray(), cls, w, names, 100, start);
        double gap = 0;
        for (int c = 1; c < k; c++)
        {
            for (int j = 0; j < p; j++)
            {
                double b = fit.Coefficient(c, j);
                gap = Math.Max(gap, Math.Abs(start[(c - 1) * p + j] - b) / Math.Max(Math.Abs(b), 1));
            }
        }

        return (fit, start, gap);
    }

    /// <summary>The one-layer softmax network of a multinomial GLM: class 0's row is zero, class c's its coefficients.</summary>
    /// <param name="fit">A multinomial fit with an intercept.</param>
    /// <returns>A one-layer multinomial model with the same class probabilities.</returns>
    /// <exception cref="ArgumentException">The fit has no intercept.</exception>
    public static StackedGlm<double> ToStackedGlm(MultinomialFit fit)
    {
        ArgumentNullException.ThrowIfNull(fit);
        if (fit.CoefficientNames.Count == 0 || fit.CoefficientNames[0] != "(Intercept)") throw new ArgumentException("The fit has no intercept; a layer's bias is its intercept.", nameof(fit));
        int k = fit.ClassNames.Count, inputs = fit.CoefficientNames.Count - 1;
        var layer = GlmLayer.Create<double>(inputs, k, new IdentityLink());
        var w = new double[k * inputs];
        var b = new double[k];
        for (int c = 1; c < k; c++)
        {
            b[c] = fit.Coefficient(c, 0);
            for (int j = 0; j < inputs; j++) w[c * inputs + j] = fit.Coefficient(c, j + 1);
        }

        layer.SetWeights(w);
        layer.SetBias(b);
        return StackedGlm.FromLayersMultinomial([layer]);
    }

    /// <summary>The one-layer network of a GLM: weights = the slopes, bias = the intercept (0 without one); aliased coefficients become 0.</summary>
    /// <param name="fit">A fitted GLM (not quasi: a network needs a likelihood-free family only for its loss, which any family has).</param>
    /// <returns>A one-layer model with the GLM's family and link whose linear predictor equals the GLM's.</returns>
    /// <remarks>
    /// The network's means are g^-1(eta) exactly. The GLM's own predictions keep the mean at least eps inside a bound of
    /// the inverse link's image, as R's inverse links do (a cloglog mean within [eps, 1 - eps], a log-link mean at least
    /// eps), so where g^-1(eta) comes within eps of a bound the two means differ, by less than eps; the linear
    /// predictors are equal.
    /// </remarks>
    public static StackedGlm<double> ToStackedGlm(GlmFit fit)
    {
        GlmLayer<double> layer = ToLayer(fit);
        return StackedGlm.FromLayers([layer], fit.Family);
    }

    /// <summary>A GLM as a network layer with one output (weights = slopes, bias = intercept).</summary>
    /// <param name="fit">A fitted GLM.</param>
    /// <returns>The layer.</returns>
    public static GlmLayer<double> ToLayer(GlmFit fit)
    {
        ArgumentNullException.ThrowIfNull(fit);
        int p = fit.Coefficients.Count, k = fit.HasIntercept ? p - 1 : p;
        if (k == 0) throw new ArgumentException("The GLM has no predictors (intercept only): a layer needs at least one input.", nameof(fit));
        GlmLayer<double> layer = GlmLayer.Create<double>(k, 1, fit.Link);
        double Coef(int j) => double.IsNaN(fit.Coefficients[j]) ? 0 : fit.Coefficients[j];
        layer.SetWeights(Enumerable.Range(fit.HasIntercept ? 1 : 0, k).Select(Coef).ToArray());
        layer.SetBias([fit.HasIntercept ? Coef(0) : 0]);
        return layer;
    }
}

/// <summary>Collapsing a stack whose hidden links are all affine into one layer.</summary>
/// <remarks>Thread safety: stateless; concurrent calls are safe, and each reads its model as any reader does.</remarks>
public static class Collapse
{
    /// <summary>Whether every hidden layer's link is affine, so that the stack is one GLM layer in disguise.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="model">The stack.</param>
    /// <param name="reason">Why (or why not).</param>
    /// <returns>True when <see cref="ToSingleLayer{T}"/> applies.</returns>
    public static bool IsCollapsible<T>(StackedGlm<T> model, out string reason) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        for (int l = 0; l < model.Layers.Count - 1; l++)
        {
            ILinkFunction link = model.Layers[l].Link;
            if (!link.IsAffine)
            {
                reason = string.Create(CultureInfo.InvariantCulture,
                    $"hidden layer {l + 1} has the {link.Name} link, which is not affine: the composition is not linear in x and no single layer reproduces it");
                return false;
            }
        }

        reason = model.Layers.Count == 1
            ? "the model already has a single layer"
            : "every hidden link is the identity: eta = W_L (... (W_1 x + b_1) ...) + b_L is affine in x";
        return true;
    }

    /// <summary>
    /// The single layer equivalent to a stack with identity hidden links: W = W_L ... W_1 and b = W_L (... (W_2 b_1 + b_2) ...) + b_L,
    /// with the output link and family. Products are formed in double.
    /// </summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="model">The stack.</param>
    /// <returns>A one-layer model predicting the same eta and mu.</returns>
    /// <exception cref="InvalidOperationException">A hidden link is not affine (the message says which).</exception>
    public static StackedGlm<T> ToSingleLayer<T>(StackedGlm<T> model) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        if (!IsCollapsible(model, out string reason)) throw new InvalidOperationException("The stack does not collapse: " + reason + ".");
        using UsageGuard.ReadScope reading = model.EnterRead();
        GlmLayer<T> first = model.Layers[0];
        int inputs = first.InputCount;
        double[] a = first.Weights.ToArray().Select(double.CreateTruncating).ToArray(); // [rows, inputs]
        double[] c = first.Bias.ToArray().Select(double.CreateTruncating).ToArray();
        int rows = first.OutputCount;
        for (int l = 1; l < model.Layers.Count; l++)
        {
            GlmLayer<T> layer = model.Layers[l];
            int n = layer.OutputCount;
            var na = new double[n * inputs];
            var nc = new double[n];
            ReadOnlySpan<T> w = layer.Weights;
            for (int o = 0; o < n; o++)
            {
                double s = double.CreateTruncating(layer.Bias[o]);
                for (int r = 0; r < rows; r++)
                {
                    double wr = double.CreateTruncating(w[o * rows + r]);
                    s += wr * c[r];
                    for (int i = 0; i < inputs; i++) na[o * inputs + i] += wr * a[r * inputs + i];
                }

                nc[o] = s;
            }

            a = na;
            c = nc;
            rows = n;
        }

        GlmLayer<T> single = GlmLayer.Create<T>(inputs, rows, model.OutputLink);
        single.SetWeights(a.Select(T.CreateTruncating).ToArray());
        single.SetBias(c.Select(T.CreateTruncating).ToArray());
        return model.Family is null ? StackedGlm.FromLayersMultinomial([single]) : StackedGlm.FromLayers([single], model.Family);
    }
}
