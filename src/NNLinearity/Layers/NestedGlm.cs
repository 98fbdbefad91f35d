using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using NNLinearity.Glm;
using NNLinearity.Links;

namespace NNLinearity.Layers;

/// <summary>How far fitted means are from the responses in total: the balance property of a GLM.</summary>
/// <param name="Before">sum w (y - mu) / sum w y before the correction.</param>
/// <param name="After">The same after it (0 to rounding).</param>
/// <remarks>Thread safety: an immutable value.</remarks>
public readonly record struct BalanceCorrection(double Before, double After);

/// <summary>Creates <see cref="NestedGlm{T}"/> models.</summary>
/// <remarks>Thread safety: stateless; safe from any thread.</remarks>
public static class NestedGlm
{
    /// <summary>Nests a fitted GLM (from a matrix) in a network over the same columns.</summary>
    /// <typeparam name="T">float or double (the network's element type).</typeparam>
    /// <param name="glm">The GLM (its columns, without the intercept, are the network's inputs).</param>
    /// <param name="hidden">The network's hidden layers (at least one).</param>
    /// <param name="seed">Initialisation seed of the hidden layers.</param>
    /// <returns>The nested model, equal to the GLM.</returns>
    /// <exception cref="ArgumentException">No hidden layers, or a GLM without predictors.</exception>
    public static NestedGlm<T> Create<T>(GlmFit glm, IReadOnlyList<LayerSpec> hidden, int seed = 0)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(glm);
        ArgumentNullException.ThrowIfNull(hidden);
        if (hidden.Count == 0) throw new ArgumentException("A nested network needs at least one hidden layer (without one it is the GLM again).", nameof(hidden));
        int inputs = glm.CoefficientCount - (glm.HasIntercept ? 1 : 0);
        if (inputs < 1) throw new ArgumentException("The GLM has no predictors to feed the network.", nameof(glm));
        StackedGlm<T> network = StackedGlm.Create<T>(inputs, hidden.Append(new LayerSpec(1, glm.Link)).ToArray(), glm.Family, seed);
        GlmLayer<T> output = network.Layers[^1];
        output.SetWeights(new T[output.InputCount]);
        output.SetBias([T.Zero]);
        return new NestedGlm<T>(glm, network);
    }

}

/// <summary>
/// A GLM-nested network (the combined actuarial neural network): eta = offset + X b + f(x), where X b is a fitted GLM's
/// linear predictor and f a network with the GLM's family and link on its output, started at exactly 0 (its output
/// layer's weights and bias are zero), so that before training the model is the GLM. Training fits f with the GLM part
/// as an offset (frozen) or alternates network training with IRLS refits of the GLM part (trainable); afterwards the
/// balance property can be restored by refitting the output intercept.
/// </summary>
/// <remarks>Thread safety: readers (prediction) may run concurrently; training and corrections are writers and must not overlap anything else (the network refuses them with an <see cref="InvalidOperationException"/>).</remarks>
/// <typeparam name="T">float or double (the network's element type; the GLM part is double).</typeparam>
public sealed class NestedGlm<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    internal NestedGlm(GlmFit glm, StackedGlm<T> network)
    {
        Glm = glm;
        Network = network;
    }

    /// <summary>The GLM part (refitted by <see cref="Fit"/> when the GLM part is trainable).</summary>
    public GlmFit Glm { get; private set; }

    /// <summary>The network part f: its output layer has the GLM's link and family; its eta is added to the GLM's.</summary>
    public StackedGlm<T> Network { get; }

    /// <summary>The model's linear predictor: offset + X b + f(x).</summary>
    /// <param name="x">Predictors [rows, columns] as the GLM's (no intercept column).</param>
    /// <param name="offset">Offsets per row (null: none).</param>
    /// <returns>eta per row.</returns>
    public double[] LinearPredictor(double[,] x, IReadOnlyList<double>? offset = null)
    {
        double[] glmEta = GlmEta(x, offset);
        double[] f = NetworkEta(x);
        return glmEta.Select((g, i) => g + f[i]).ToArray();
    }

    /// <summary>
    /// The model's means g^-1(eta), kept inside the family's range as the GLM's own predictions are (R's inverse links
    /// clamp, e.g. the binomial cloglog mean to [eps, 1 - eps]), so that before training they equal the GLM's bit for bit.
    /// </summary>
    /// <param name="x">Predictors [rows, columns].</param>
    /// <param name="offset">Offsets per row (null: none).</param>
    /// <returns>mu per row.</returns>
    public double[] Predict(double[,] x, IReadOnlyList<double>? offset = null)
    {
        Func<double, double> mean = Glm.FittingMean;
        return LinearPredictor(x, offset).Select(mean).ToArray();
    }

    /// <summary>
    /// Trains the network part with the GLM's linear predictor (and the offset) as an offset. With
    /// <paramref name="trainGlm"/>, alternates: the network with the GLM part fixed, then the GLM part by IRLS with the
    /// network part as an offset, <paramref name="rounds"/> times (block coordinate descent on the joint loss).
    /// </summary>
    /// <param name="x">Predictors [rows, columns].</param>
    /// <param name="y">Responses.</param>
    /// <param name="weights">Prior weights (null: all 1).</param>
    /// <param name="offset">Offsets (null: none).</param>
    /// <param name="options">The network's training settings.</param>
    /// <param name="trainGlm">Refit the GLM part between network rounds.</param>
    /// <param name="rounds">Rounds of the alternation when <paramref name="trainGlm"/> (at least 1).</param>
    /// <returns>The last network training's result.</returns>
    public TrainingResult Fit(double[,] x, IReadOnlyList<double> y, IReadOnlyList<double>? weights = null, IReadOnlyList<double>? offset = null,
        TrainingOptions? options = null, bool trainGlm = false, int rounds = 3)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (rounds < 1) throw new ArgumentOutOfRangeException(nameof(rounds), rounds, "rounds must be at least 1.");
        int n = x.GetLength(0), p = x.GetLength(1);
        T[] xt = new T[n * p], yt = y.Select(T.CreateTruncating).ToArray();
        for (int i = 0; i < n; i++) for (int j = 0; j < p; j++) xt[i * p + j] = T.CreateTruncating(x[i, j]);
        double[] w = weights?.ToArray() ?? [];
        TrainingResult? result = null;
        for (int round = 0; round < (trainGlm ? rounds : 1); round++)
        {
            T[] glmEta = GlmEta(x, offset).Select(T.CreateTruncating).ToArray();
            result = Network.Fit(xt, yt, n, w, glmEta, options);
            if (!trainGlm) break;
            double[] f = NetworkEta(x);
            double[] combined = f.Select((v, i) => v + (offset?[i] ?? 0)).ToArray();
            Glm = NNLinearity.Glm.Glm.Fit(x, y, Glm.Family, Glm.Link, new GlmOptions
            {
                Intercept = Glm.HasIntercept,
                ColumnNames = Glm.CoefficientNames.Skip(Glm.HasIntercept ? 1 : 0).ToArray(),
                Weights = weights,
                Offset = combined,
                Start = Glm.Coefficients.Select(c => double.IsNaN(c) ? 0 : c).ToArray(),
            });
        }

        return result!;
    }

    /// <summary>
    /// The balance property: a GLM with a canonical link and an intercept has sum w (y - mu) = 0; a trained network
    /// generally does not. Refits the network's output bias by IRLS (one coefficient, everything else as an offset), or
    /// the whole output layer on the last hidden features, which restores it exactly for a canonical link, and reports
    /// the relative imbalance before and after.
    /// </summary>
    /// <param name="x">Predictors [rows, columns].</param>
    /// <param name="y">Responses.</param>
    /// <param name="weights">Prior weights (null: all 1).</param>
    /// <param name="offset">Offsets (null: none).</param>
    /// <param name="wholeOutputLayer">Refit the whole output layer (weights and bias) by IRLS on the last hidden features, instead of the bias alone.</param>
    /// <returns>The imbalance before and after.</returns>
    public BalanceCorrection CorrectBalance(double[,] x, IReadOnlyList<double> y, IReadOnlyList<double>? weights = null, IReadOnlyList<double>? offset = null, bool wholeOutputLayer = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        double before = Imbalance(Predict(x, offset), y, weights);
        GlmLayer<T> output = Network.Layers[^1];
        if (wholeOutputLayer)
        {
            int rows = x.GetLength(0), p = x.GetLength(1), units = output.InputCount;
            var xt = new T[rows * p];
            for (int i = 0; i < rows; i++) for (int j = 0; j < p; j++) xt[i * p + j] = T.CreateTruncating(x[i, j]);
            double[] h = Network.LastHiddenFeatures(xt, rows);
            double[] glmEta = GlmEta(x, offset);
            var startLayer = new double[units + 1];
            startLayer[0] = double.CreateTruncating(output.Bias[0]);
            for (int j = 0; j < units; j++) startLayer[j + 1] = double.CreateTruncating(output.Weights[j]);
            GlmFit layerFit = NNLinearity.Glm.Glm.Fit(h, rows, units, y, Glm.Family, Glm.Link, new GlmOptions { Weights = weights, Offset = glmEta, Start = startLayer, Epsilon = 1e-12, MaxIterations = 100 });
            output.SetWeights(Enumerable.Range(1, units).Select(j => T.CreateTruncating(double.IsNaN(layerFit.Coefficients[j]) ? 0 : layerFit.Coefficients[j])).ToArray());
            output.SetBias([T.CreateTruncating(layerFit.Coefficients[0])]);
            return new BalanceCorrection(before, Imbalance(Predict(x, offset), y, weights));
        }

        double bias = double.CreateTruncating(output.Bias[0]);
        double[] eta = LinearPredictor(x, offset);
        int n = y.Count;
        GlmFit intercept = NNLinearity.Glm.Glm.Fit(new double[n, 0], y, Glm.Family, Glm.Link, new GlmOptions
        {
            Weights = weights,
            Offset = eta.Select(e => e - bias).ToArray(),
            Start = [bias],
            Epsilon = 1e-12,
            MaxIterations = 100,
        });
        output.SetBias([T.CreateTruncating(intercept.Coefficients[0])]);
        return new BalanceCorrection(before, Imbalance(Predict(x, offset), y, weights));
    }

    /// <summary>sum w (y - mu) / sum w y.</summary>
    private static double Imbalance(double[] mu, IReadOnlyList<double> y, IReadOnlyList<double>? weights)
    {
        double num = 0, den = 0;
        for (int i = 0; i < mu.Length; i++)
        {
            double w = weights?[i] ?? 1;
            num += w * (y[i] - mu[i]);
            den += w * y[i];
        }

        return num / den;
    }

    internal double[] GlmEta(double[,] x, IReadOnlyList<double>? offset) => Glm.Predict(x, GlmPredictionScale.Link, offset).Fit.ToArray();

    private double[] NetworkEta(double[,] x)
    {
        int n = x.GetLength(0), p = x.GetLength(1);
        var xt = new T[n * p];
        for (int i = 0; i < n; i++) for (int j = 0; j < p; j++) xt[i * p + j] = T.CreateTruncating(x[i, j]);
        return Network.Predict(xt, n).Eta.ToArray().Select(double.CreateTruncating).ToArray();
    }
}
