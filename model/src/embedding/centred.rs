//! A model's vectors with their common direction taken out. multilingual-e5's vectors all lean
//! one way (two unrelated questions have a cosine near 0.8, rephrasings 0.88 to 0.93), so one
//! threshold cannot tell topics apart. Subtracting the mean vector of everyday sentences that
//! have nothing to do with customer service, and normalising again, spreads the cosines out
//! (unrelated 0.2 to 0.4, rephrasings 0.5 to 0.7) without looking at any product data.

use std::sync::Arc;

use super::{EmbedError, Embedder, ModelInfo};

/// Everyday sentences in both languages, deliberately about nothing a call centre handles: their
/// mean is the direction every text of the model shares, not a topic.
pub const CENTRE_TEXTS: [&str; 40] = [
    "今天下午会下雨吗",
    "这本书讲的是什么故事",
    "附近有没有好吃的饭店",
    "孩子明年就要上小学了",
    "周末我们去爬山吧",
    "这道菜应该怎么做",
    "火车几点从北京出发",
    "他的电脑坏了需要修理",
    "公司下个月要搬到新的办公楼",
    "医生说要多喝水多休息",
    "这件衣服有没有大一号的",
    "我想学习弹钢琴",
    "博物馆星期一开门吗",
    "新闻里说房价又涨了",
    "足球比赛的结果怎么样",
    "请把文件发到我的邮箱",
    "花园里的花都开了",
    "这个问题我不太明白",
    "明天的会议改到十点",
    "猫喜欢睡在窗台上",
    "Will it rain this afternoon",
    "What is this book about",
    "Is there a good restaurant nearby",
    "My son starts school next year",
    "Let's go hiking this weekend",
    "How do you cook this dish",
    "When does the train leave for London",
    "His laptop needs to be repaired",
    "The office moves to a new building next month",
    "The doctor told me to drink more water",
    "Do you have this shirt in a larger size",
    "I want to learn to play the piano",
    "Is the museum open on Mondays",
    "The news says house prices went up again",
    "What was the score of the football match",
    "Please send the file to my email",
    "The flowers in the garden are blooming",
    "I don't quite understand this question",
    "Tomorrow's meeting moved to ten",
    "The cat likes to sleep on the windowsill",
];

pub struct CentredEmbedder {
    inner: Arc<dyn Embedder>,
    centre: Vec<f32>,
    info: ModelInfo,
}

impl CentredEmbedder {
    /// Embeds [`CENTRE_TEXTS`] with `inner` (well under a second) and keeps their mean.
    pub fn new(inner: Arc<dyn Embedder>) -> Result<Self, EmbedError> {
        let vectors = inner.embed(&CENTRE_TEXTS)?;
        let dimension = inner.info().dimension;
        let mut centre = vec![0f32; dimension];
        for v in &vectors {
            centre.iter_mut().zip(v).for_each(|(c, x)| *c += x / vectors.len() as f32);
        }
        // A new name: vectors stored for the plain model are not these.
        let info = ModelInfo { name: format!("{}-centred", inner.info().name), ..inner.info().clone() };
        Ok(Self { inner, centre, info })
    }

    fn centred(&self, mut v: Vec<f32>) -> Vec<f32> {
        v.iter_mut().zip(&self.centre).for_each(|(x, c)| *x -= c);
        let norm = super::dot(&v, &v).sqrt();
        // A text exactly at the centre has no direction left; any unit vector is as good.
        if norm > 1e-6 {
            v.iter_mut().for_each(|x| *x /= norm);
        } else {
            v.iter_mut().enumerate().for_each(|(i, x)| *x = f32::from(i == 0));
        }
        v
    }
}

impl Embedder for CentredEmbedder {
    fn info(&self) -> &ModelInfo {
        &self.info
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        Ok(self.inner.embed(texts)?.into_iter().map(|v| self.centred(v)).collect())
    }

    fn tokens(&self, text: &str) -> usize {
        self.inner.tokens(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embedding::Pooling;

    /// Every text is `[1, 0]` plus a little of its own direction.
    struct Leaning(ModelInfo);

    impl Embedder for Leaning {
        fn info(&self) -> &ModelInfo {
            &self.0
        }
        fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
            Ok(texts
                .iter()
                .map(|t| {
                    let side = if t.len() % 2 == 0 { 0.3 } else { -0.3 };
                    let n = (1.0f32 + side * side).sqrt();
                    vec![1.0 / n, side / n]
                })
                .collect())
        }
    }

    #[test]
    fn the_shared_direction_goes_and_vectors_stay_unit() {
        let info = ModelInfo {
            name: "leaning".into(),
            dimension: 2,
            max_tokens: 8,
            pooling: Pooling::Mean,
            load_ms: 0,
        };
        let inner: Arc<dyn Embedder> = Arc::new(Leaning(info));
        let raw = inner.embed(&["ab", "abc"]).unwrap();
        assert!(crate::embedding::dot(&raw[0], &raw[1]) > 0.8, "the fake model leans one way");
        let centred = CentredEmbedder::new(inner).unwrap();
        assert_eq!(centred.info().name, "leaning-centred");
        let v = centred.embed(&["ab", "abc"]).unwrap();
        for x in &v {
            assert!((crate::embedding::dot(x, x) - 1.0).abs() < 1e-5);
        }
        assert!(crate::embedding::dot(&v[0], &v[1]) < -0.9, "opposite sides once centred");
    }
}
