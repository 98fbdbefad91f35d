using System;
using System.Linq;
using NNLinearity.Layers;
using NNLinearity.Tests.Generators;
using Xunit.Sdk;

namespace NNLinearity.Tests.Layers;

public class BackpropLawTests
{
    /// <summary>Smallest |pre-activation| of a piecewise-linear hidden unit: finite differences are only valid away from kinks.</summary>
    private static double DistanceToKink(StackedGlm<double> model, double[] x, int rows)
    {
        double min = double.PositiveInfinity;
        double[] input = x;
        foreach (GlmLayer<double> layer in model.Layers)
        {
            var eta = new double[rows * layer.OutputCount];
            var mu = new double[rows * layer.OutputCount];
            layer.Forward(input, rows, eta, mu);
            if (layer.Link.IsPiecewiseLinear && !layer.Link.IsAffine) min = Math.Min(min, eta.Min(Math.Abs));
            input = mu;
        }

        return min;
    }

    [Law]
    public bool Backprop_MatchesFiniteDifference(NetworkCase c)
    {
        StackedGlm<double> model = c.Model<double>();
        double[] theta = model.GetParameters();
        // The gradient is written, not accumulated: stale contents (NaN here) must not survive anywhere.
        double[] gradient = Enumerable.Repeat(double.NaN, theta.Length).ToArray();
        model.LossAndGradient(c.X, c.Y, c.Rows, gradient, l2: 0.01);

        // The step moves each pre-activation by at most about h sum|x| << 1e-4; closer than that to a ReLU kink the
        // loss is not differentiable along the step and the central difference is not a reference.
        if (DistanceToKink(model, c.X, c.Rows) < 1e-4) return true;

        var fd = new double[theta.Length];
        for (int i = 0; i < theta.Length; i++)
        {
            // Central difference: truncation h^2 f'''/6 and rounding eps f / h balance near h = 1e-5 for O(1) losses.
            double h = 1e-5 * Math.Max(1, Math.Abs(theta[i]));
            double[] plus = (double[])theta.Clone(), minus = (double[])theta.Clone();
            plus[i] += h;
            minus[i] -= h;
            model.SetParameters(plus);
            double fPlus = model.LossAndGradient(c.X, c.Y, c.Rows, new double[theta.Length], l2: 0.01);
            model.SetParameters(minus);
            double fMinus = model.LossAndGradient(c.X, c.Y, c.Rows, new double[theta.Length], l2: 0.01);
            fd[i] = (fPlus - fMinus) / (plus[i] - minus[i]);
        }

        model.SetParameters(theta);
        double scale = Math.Max(gradient.Max(Math.Abs), 1e-3);
        for (int i = 0; i < theta.Length; i++)
        {
            // Relative to the gradient's largest component, with that floored at 1e-3 (the finite-difference noise is
            // about 1e-11 / 1e-5 = 1e-6 of the loss at worst, far below 1e-6 * 1e-3 only for O(1) losses: hence 1e-9).
            if (!(Math.Abs(gradient[i] - fd[i]) <= 1e-6 * scale + 1e-9))
            {
                throw new XunitException($"d loss / d theta[{i}]: backprop {gradient[i]:R}, finite difference {fd[i]:R} ({c})");
            }
        }

        return true;
    }

    [Law]
    public bool FloatForward_EqualsDoubleForward_ToFloatPrecision(NetworkCase c)
    {
        StackedGlm<double> d = c.Model<double>();
        StackedGlm<float> f = c.Model<float>();
        f.SetParameters(d.GetParameters().Select(v => (float)v).ToArray());
        d.SetParameters(f.GetParameters().Select(v => (double)v).ToArray()); // both hold exactly the same parameters
        Prediction<double> pd = d.Predict(c.X, c.Rows);
        Prediction<float> pf = f.Predict(c.X.Select(v => (float)v).ToArray(), c.Rows);
        for (int i = 0; i < pd.Mu.Length; i++)
        {
            // Each layer loses a few float ulps in the product and the link; relative 1e-4 with an absolute floor of
            // 1e-5 covers depth 4 (about 2^-24 x 16 inputs x 4 layers x the links' condition numbers, which are O(1) here).
            double scale = Math.Max(1, Math.Abs(pd.Eta[i]));
            if (!(Math.Abs(pd.Eta[i] - pf.Eta[i]) <= 1e-4 * scale)) throw new XunitException($"eta[{i}]: double {pd.Eta[i]:R}, float {pf.Eta[i]:R} ({c})");
            if (!(Math.Abs(pd.Mu[i] - pf.Mu[i]) <= 1e-4 * Math.Max(1, Math.Abs(pd.Mu[i])))) throw new XunitException($"mu[{i}]: double {pd.Mu[i]:R}, float {pf.Mu[i]:R} ({c})");
        }

        return true;
    }

    [Law]
    public bool TrainingStep_NeverProducesNaN_FromFiniteData(NetworkCase c)
    {
        StackedGlm<float> model = c.Model<float>();
        float[] x = c.X.Select(v => (float)(v * 30)).ToArray(); // wide inputs drive the output links into their tails
        TrainingResult r = model.Fit(x, c.Y.Select(v => (float)v).ToArray(), c.Rows, new TrainingOptions { Optimizer = Optimizer.Adam, MaxEpochs = 2, LearningRate = 0.1, Seed = c.Seed });
        float[] theta = model.GetParameters();
        if (theta.Any(v => !float.IsFinite(v))) throw new XunitException($"non-finite parameter after training ({c})");
        // Binomial-logit (softplus form, gradient mu - y in [-1, 1]), multinomial (log-sum-exp, p - y) and Gaussian
        // outputs have gradients bounded by the data: they never overflow. Log-link outputs grow like exp(eta) and
        // can exceed float's range; then training stops with Diverged. A large step can still make any loss explode
        // (1000 times the starting loss, which for a near-perfect start is small): that too is Diverged, and either way
        // the model keeps the best parameters seen, never worse than the start.
        bool bounded = c.Output.Family is null || c.Output.Link is NNLinearity.Links.LogitLink || c.Output.Family is NNLinearity.Families.GaussianFamily;
        if (bounded && r.History.Any(h => !double.IsFinite(h.TrainingLoss))) throw new XunitException($"bounded-gradient output produced a non-finite loss ({c})");
        if (r.StopReason == TrainingStopReason.Diverged)
        {
            double start = c.Model<float>().Loss(x, c.Y.Select(v => (float)v).ToArray(), c.Rows);
            // 1e-5 relative: the kept loss is summed in batches, the starting one in a single pass (float rounding).
            if (!(r.TrainingLoss <= start + 1e-5 * Math.Max(1, Math.Abs(start)))) throw new XunitException($"diverged run kept loss {r.TrainingLoss}, above the start {start} ({c})");
        }

        return true;
    }
}
